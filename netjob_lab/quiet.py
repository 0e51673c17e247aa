"""Imported first by netjob_lab: cryptography's deprecation notes stay off the screen.

asyncssh (the lab's SSH server) reads DSA names that cryptography deprecates, and each read
printed a CryptographyDeprecationWarning at `netjob lab`: a note for asyncssh's authors that
a person starting the lab cannot act on (issue 22).
"""

from __future__ import annotations

import warnings

from cryptography.utils import CryptographyDeprecationWarning

warnings.filterwarnings("ignore", category=CryptographyDeprecationWarning)
