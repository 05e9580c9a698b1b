"""GPAI Tracker: an offline register of EU AI Act GPAI obligations."""

__version__ = "0.1.0"
