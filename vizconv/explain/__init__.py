"""Why the model answered that: class activation maps, occlusion sensitivity and the patches a channel looks for.

``cam`` (Grad-CAM computed and written out, the other CAM methods through torchcam), ``occlusion`` (the class
score's drop under a grey patch), ``top_patches`` (each conv channel's most activating input patches, precomputed
for the bundled models), ``tap`` (which layers have a map; one layer's output tapped for its gradient).
"""
