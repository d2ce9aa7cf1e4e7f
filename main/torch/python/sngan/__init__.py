"""SNGAN Studio's PyTorch engine: the app's models, spectral norm, losses and run-folder format, in PyTorch.

Shipped inside every package `sngan-studio package` writes; depends on torch and the standard library only.
"""
