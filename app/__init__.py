"""The application: builds a call's worker, wires its parts, holds process-wide resources."""
