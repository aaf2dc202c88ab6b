"""Shared numpy kernels for the neural-network course companion notebooks."""
