"""What goes into a layer: uploaded images (decoded safely), the bundled samples, kernel presets, and LeNet-5's
real feature maps for the pooling page."""
