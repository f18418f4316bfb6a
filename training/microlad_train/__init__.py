"""MicroLad trainer: turns a dataset of segmented micrographs into a model bundle.

A bundle (format ``microlad-bundle`` version 1, see DESIGN.md section 4) holds a categorical VAE
(encoder/decoder over P phase channels), a latent epsilon-prediction U-Net, the decoder's
vector-Jacobian product as its own ONNX graph, training statistics and a manifest.
"""

__version__ = '0.1.0'
