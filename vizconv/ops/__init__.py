"""The maths, step by step and equal to torch: output sizes and padding, convolution, pooling, transposed
convolution, upsampling and activations, each as a trace whose steps a page can explain."""
