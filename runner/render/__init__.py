"""Jinja2 before any connection: every task rendered for every host in a bounded sandbox,
with the network filters, and where `save_to` may write.
"""
