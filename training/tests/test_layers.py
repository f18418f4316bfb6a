"""The hand-written adjoints agree with autograd, layer by layer and for the whole decoder."""

import pytest
import torch

from microlad_train.layers import PhaseSoftmax, PlainResBlock, SameConv, Scale, SiLU, UpConv
from microlad_train.networks import Decoder, NetworkConfig


def autograd_vjp(layer, x, g):
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad((layer(x) * g).sum(), x)
    return grad


@pytest.mark.parametrize(
    'layer, channels',
    [(SiLU(), 3), (Scale(0.7), 3), (SameConv(3, 5), 3), (UpConv(3, 2), 3), (PlainResBlock(3), 3), (PhaseSoftmax(), 3)],
)
def test_layer_adjoint_matches_autograd(layer, channels):
    torch.manual_seed(0)
    x = torch.randn(2, channels, 6, 10, dtype=torch.float64)
    layer = layer.double()
    g = torch.randn_like(layer(x))
    assert torch.allclose(layer.adjoint(x, g), autograd_vjp(layer, x, g), atol=1e-10)


def test_decoder_vjp_matches_autograd_and_finite_differences():
    torch.manual_seed(1)
    decoder = Decoder(NetworkConfig(phases=3, vae_widths=(8, 8, 4))).double()
    decoder.set_latent_scale(0.6)
    z = torch.randn(2, 4, 8, 8, dtype=torch.float64)
    v = torch.randn(2, 3, 32, 32, dtype=torch.float64)
    with torch.no_grad():
        g = decoder.vjp(z, v)
    assert torch.allclose(g, autograd_vjp(decoder, z, v), atol=1e-10)
    direction = torch.randn_like(z)
    h = 1e-5
    with torch.no_grad():
        fd = ((decoder(z + h * direction) - decoder(z - h * direction)) * v).sum() / (2 * h)
    assert abs(float((g * direction).sum()) - float(fd)) < 1e-6 * max(1.0, abs(float(fd)))


def test_decoder_output_is_a_distribution_over_phases():
    decoder = Decoder(NetworkConfig(phases=3))
    y = decoder(torch.randn(2, 4, 16, 16))
    assert y.shape == (2, 3, 64, 64)
    assert torch.allclose(y.sum(dim=1), torch.ones(2, 64, 64), atol=1e-5)
