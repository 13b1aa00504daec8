"""Helpers the tests share: real servers, real clients, readers of what was stored."""
