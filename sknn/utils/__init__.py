"""Utilities shared by sknn's estimators."""
