"""Decoder layers that know their own adjoint (vector-Jacobian product).

ONNX Runtime runs inference only, so the gradient of a pixel-space loss with respect to the latent is
exported as an explicit graph. Every layer here implements ``forward(x)`` and ``adjoint(x, g)``, where
``adjoint`` returns J(x)^T g, the gradient with respect to the layer input ``x`` of <forward(x), g>.
All adjoints use plain convolution / elementwise ops, so the traced graph exports to standard ONNX.
"""

import torch
import torch.nn.functional as F
from torch import nn


def silu_derivative(x: torch.Tensor) -> torch.Tensor:
    """d/dx [x * sigmoid(x)] = sigmoid(x) * (1 + x * (1 - sigmoid(x)))."""
    s = torch.sigmoid(x)
    return s * (1 + x * (1 - s))


class SiLU(nn.Module):
    """x * sigmoid(x)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.silu(x)

    def adjoint(self, x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        return g * silu_derivative(x)


class Scale(nn.Module):
    """Multiplication by a fixed scalar (the latent scale factor); a buffer, not a parameter."""

    def __init__(self, value: float = 1.0):
        super().__init__()
        self.register_buffer('value', torch.tensor(float(value)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.value

    def adjoint(self, x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        return g * self.value


class SameConv(nn.Conv2d):
    """k x k convolution, stride 1, zero padding k // 2 (output has the input's spatial size).

    Its adjoint is the transposed convolution with the same weight and padding.
    """

    def __init__(self, cin: int, cout: int, k: int = 3):
        super().__init__(cin, cout, k, padding=k // 2)

    def adjoint(self, x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        return F.conv_transpose2d(g, self.weight, padding=self.padding)


class UpConv(nn.ConvTranspose2d):
    """Transposed 4 x 4 convolution, stride 2, padding 1: doubles height and width exactly.

    Its adjoint is the 4 x 4 stride-2 padding-1 convolution with the same weight.
    """

    def __init__(self, cin: int, cout: int):
        super().__init__(cin, cout, 4, stride=2, padding=1)

    def adjoint(self, x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        return F.conv2d(g, self.weight, stride=2, padding=1)


class PlainResBlock(nn.Module):
    """Pre-activation residual block without normalisation: x + conv2(silu(conv1(silu(x))))."""

    def __init__(self, channels: int):
        super().__init__()
        self.act = SiLU()
        self.conv1 = SameConv(channels, channels)
        self.conv2 = SameConv(channels, channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv2(self.act(self.conv1(self.act(x))))

    def adjoint(self, x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        a = self.act(x)
        b = self.conv1(a)
        c = self.act(b)
        g_c = self.conv2.adjoint(c, g)
        g_b = self.act.adjoint(b, g_c)
        g_a = self.conv1.adjoint(a, g_b)
        return g + self.act.adjoint(x, g_a)


class PhaseSoftmax(nn.Module):
    """Softmax over the phase (channel) axis; adjoint y * (g - sum_p y g)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(x, dim=1)

    def adjoint(self, x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        y = torch.softmax(x, dim=1)
        return y * (g - (y * g).sum(dim=1, keepdim=True))


class AdjointSequential(nn.Sequential):
    """A chain of adjoint-aware layers; ``vjp(x, g)`` is the chain rule applied backwards."""

    def vjp(self, x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        inputs = []
        for layer in self:
            inputs.append(x)
            x = layer(x)
        for layer, layer_input in zip(reversed(self), reversed(inputs)):
            g = layer.adjoint(layer_input, g)
        return g
