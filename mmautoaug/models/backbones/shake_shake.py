# Copyright (c) mmautoaug contributors. All rights reserved.
"""Shake-Shake regularised ResNets for 32x32 inputs (Gastaldi, 2017)."""
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_conv_layer, build_norm_layer
from mmengine.model import BaseModule
from mmpretrain.models.backbones.base_backbone import BaseBackbone

from mmautoaug.registry import MODELS


def shake_shake(branch1: torch.Tensor, branch2: torch.Tensor,
                training: bool) -> torch.Tensor:
    """Combine two residual branches with Shake-Shake.

    In training the forward pass returns ``a * b1 + (1 - a) * b2`` and the
    backward pass sends ``b * grad`` and ``(1 - b) * grad`` to the branches,
    with ``a`` and ``b`` drawn independently from U(0, 1) for every sample
    ("Shake-Shake-Image" of the paper). In evaluation it returns
    ``0.5 * (b1 + b2)``.

    The forward/backward split is written with ``detach`` instead of a custom
    autograd function: ``b*b1 + (1-b)*b2`` carries the gradient and the
    detached ``(a-b)*(b1-b2)`` corrects the value, so it runs on any device
    and under autocast unchanged.

    Args:
        branch1 (Tensor): First branch, shape (N, C, H, W).
        branch2 (Tensor): Second branch, same shape.
        training (bool): Whether to shake (True) or average (False).

    Returns:
        Tensor: The combined branches.

    Examples:
        >>> import torch
        >>> b1, b2 = torch.ones(2, 1, 1, 1), torch.zeros(2, 1, 1, 1)
        >>> shake_shake(b1, b2, training=False).flatten().tolist()
        [0.5, 0.5]
    """
    if not training:
        return 0.5 * (branch1 + branch2)
    shape = (branch1.size(0), ) + (1, ) * (branch1.dim() - 1)
    alpha = torch.rand(shape, device=branch1.device, dtype=branch1.dtype)
    beta = torch.rand(shape, device=branch1.device, dtype=branch1.dtype)
    grad_path = beta * branch1 + (1 - beta) * branch2
    value_fix = ((alpha - beta) * (branch1 - branch2)).detach()
    return grad_path + value_fix


class ShakeShortcut(BaseModule):
    """Shortcut of a Shake-Shake block that changes width or resolution.

    ReLU, then two paths of (1x1 average pooling with the block's stride,
    1x1 convolution to half the output channels), the second path shifted by
    one pixel so that it samples the other pixels; concatenated and
    normalised (Gastaldi 2017, Sec. 2.3).

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels (even).
        stride (int): Spatial stride.
        conv_cfg (dict, optional): Config of the convolution layers.
        norm_cfg (dict): Config of the normalisation layer.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 stride: int,
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: dict = dict(type='BN')) -> None:
        super().__init__()
        self.stride = stride
        half = out_channels // 2
        self.conv1 = build_conv_layer(
            conv_cfg, in_channels, half, 1, 1, 0, bias=False)
        self.conv2 = build_conv_layer(
            conv_cfg, in_channels, out_channels - half, 1, 1, 0, bias=False)
        _, self.norm = build_norm_layer(norm_cfg, out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Forward the shortcut."""
        x = F.relu(x)
        path1 = self.conv1(F.avg_pool2d(x, 1, self.stride))
        # shift by one pixel (drop the first row/column, pad the last)
        shifted = F.pad(x[:, :, 1:, 1:], (0, 1, 0, 1))
        path2 = self.conv2(F.avg_pool2d(shifted, 1, self.stride))
        return self.norm(torch.cat([path1, path2], dim=1))


class ShakeBlock(BaseModule):
    """Residual block with two ``relu-conv3x3-bn-relu-conv3x3-bn`` branches
    combined by :func:`shake_shake`.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        stride (int): Stride of the first convolution of each branch.
        conv_cfg (dict, optional): Config of the convolution layers.
        norm_cfg (dict): Config of the normalisation layers.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 stride: int = 1,
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: dict = dict(type='BN')) -> None:
        super().__init__()
        self.branch1 = self._make_branch(in_channels, out_channels, stride,
                                         conv_cfg, norm_cfg)
        self.branch2 = self._make_branch(in_channels, out_channels, stride,
                                         conv_cfg, norm_cfg)
        self.shortcut = None
        if stride != 1 or in_channels != out_channels:
            self.shortcut = ShakeShortcut(in_channels, out_channels, stride,
                                          conv_cfg, norm_cfg)

    @staticmethod
    def _make_branch(in_channels, out_channels, stride, conv_cfg,
                     norm_cfg) -> nn.Sequential:
        return nn.Sequential(
            nn.ReLU(inplace=False),
            build_conv_layer(
                conv_cfg, in_channels, out_channels, 3, stride, 1,
                bias=False),
            build_norm_layer(norm_cfg, out_channels)[1],
            nn.ReLU(inplace=True),
            build_conv_layer(
                conv_cfg, out_channels, out_channels, 3, 1, 1, bias=False),
            build_norm_layer(norm_cfg, out_channels)[1])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Forward one block."""
        out = shake_shake(self.branch1(x), self.branch2(x), self.training)
        identity = x if self.shortcut is None else self.shortcut(x)
        return out + identity


@MODELS.register_module()
class ShakeShakeResNet(BaseBackbone):
    """Shake-Shake ResNet backbone for 32x32 inputs.

    "Shake-Shake regularization" (Gastaldi, 2017), the ``Shake-Shake-Image``
    variant (independent forward and backward coefficients per sample) used
    by AutoAugment, Fast AutoAugment and DADA: a 3x3 stem convolution with
    16 channels + BN, three stages of ``(depth - 2) / 6`` two-branch blocks
    with ``d``, ``2d``, ``4d`` channels (strides 1, 2, 2), and a final ReLU.
    Shake-Shake-26 2x32d has 2.9M parameters, 2x96d 26.2M and 2x112d 35.6M
    (with a 10-class linear head), as published.

    Args:
        depth (int): Number of layers, ``6n + 2``. Defaults to 26.
        base_channels (int): Width ``d`` of the first stage.
            Defaults to 32.
        stem_channels (int): Channels of the stem convolution.
            Defaults to 16.
        in_channels (int): Input image channels. Defaults to 3.
        out_indices (Sequence[int]): Stages whose outputs are returned, from
            0 to 2. The last stage's output is taken after the final ReLU.
            Defaults to ``(2, )``.
        conv_cfg (dict, optional): Config of the convolution layers.
        norm_cfg (dict): Config of the normalisation layers.
            Defaults to ``dict(type='BN')``.
        init_cfg (dict | list[dict], optional): Initialisation config.
            Defaults to Kaiming (fan_out) for convolutions and ones/zeros for
            normalisation layers.

    Examples:
        >>> import torch
        >>> from mmautoaug.models import ShakeShakeResNet
        >>> model = ShakeShakeResNet(depth=26, base_channels=32).eval()
        >>> outs = model(torch.rand(2, 3, 32, 32))
        >>> tuple(outs[-1].shape)
        (2, 128, 8, 8)
    """

    def __init__(self,
                 depth: int = 26,
                 base_channels: int = 32,
                 stem_channels: int = 16,
                 in_channels: int = 3,
                 out_indices: Sequence[int] = (2, ),
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[Union[dict, list]] = [
                     dict(type='Kaiming', layer='Conv2d', mode='fan_out',
                          nonlinearity='relu'),
                     dict(type='Constant', val=1, layer=['_BatchNorm'])
                 ]) -> None:
        super().__init__(init_cfg)
        if not isinstance(depth, int) or depth < 8 or (depth - 2) % 6:
            raise ValueError(
                'ShakeShakeResNet: depth must be 6n+2 with n >= 1 (8, 14, '
                f'20, 26, ...), got {depth!r}.')
        if not isinstance(base_channels, int) or base_channels < 2 \
                or base_channels % 2:
            raise ValueError('ShakeShakeResNet: base_channels must be an '
                             f'even integer >= 2, got {base_channels!r}.')
        out_indices = tuple(out_indices)
        if not out_indices or any(i not in (0, 1, 2) for i in out_indices):
            raise ValueError('ShakeShakeResNet: out_indices must be a '
                             'non-empty subset of (0, 1, 2), got '
                             f'{out_indices!r}.')
        self.depth = depth
        self.base_channels = base_channels
        self.out_indices = out_indices
        num_blocks = (depth - 2) // 6
        self.stem = nn.Sequential(
            build_conv_layer(
                conv_cfg, in_channels, stem_channels, 3, 1, 1, bias=False),
            build_norm_layer(norm_cfg, stem_channels)[1])
        channels = stem_channels
        self.stages = nn.ModuleList()
        for i, stride in enumerate((1, 2, 2)):
            width = base_channels * 2**i
            blocks = []
            for b in range(num_blocks):
                blocks.append(
                    ShakeBlock(
                        channels,
                        width,
                        stride=stride if b == 0 else 1,
                        conv_cfg=conv_cfg,
                        norm_cfg=norm_cfg))
                channels = width
            self.stages.append(nn.Sequential(*blocks))
        self.out_channels = channels

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Return the feature maps of the stages in ``out_indices``."""
        x = self.stem(x)
        outs = []
        for i, stage in enumerate(self.stages):
            x = stage(x)
            if i == len(self.stages) - 1:
                x = F.relu(x)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)
