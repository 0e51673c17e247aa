"""netjob: run YAML job files against many network devices over SSH."""

from __future__ import annotations

__version__ = "0.1.0"
