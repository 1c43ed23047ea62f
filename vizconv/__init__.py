"""vizconv: see what a convolution computes, one output value at a time."""
