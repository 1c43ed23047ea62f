"""Whole networks: the bundled architectures and their weights, forward-hook capture, the layer table with
receptive fields, feature maps and the network builder."""
