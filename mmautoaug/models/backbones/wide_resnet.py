# Copyright (c) mmautoaug contributors. All rights reserved.
"""Wide Residual Networks for 32x32 inputs (Zagoruyko & Komodakis, 2016)."""
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmcv.cnn import build_activation_layer, build_conv_layer, build_norm_layer
from mmengine.model import BaseModule
from mmpretrain.models.backbones.base_backbone import BaseBackbone

from mmautoaug.registry import MODELS


class WideBasicBlock(BaseModule):
    """Pre-activation basic block of a Wide-ResNet.

    ``norm-act-conv3x3(stride)-norm-act-dropout-conv3x3`` plus a shortcut.
    When the block changes the width or the resolution, the shortcut is a
    1x1 convolution of the *pre-activated* input, as in the authors' code
    (``github.com/szagoruyko/wide-residual-networks``).

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        stride (int): Stride of the first 3x3 convolution. Defaults to 1.
        drop_rate (float): Dropout probability between the two convolutions.
            Defaults to 0.
        conv_cfg (dict, optional): Config of the convolution layers.
        norm_cfg (dict): Config of the normalisation layers.
        act_cfg (dict): Config of the activation layers.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 stride: int = 1,
                 drop_rate: float = 0.0,
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        _, self.norm1 = build_norm_layer(norm_cfg, in_channels)
        self.act1 = build_activation_layer(act_cfg)
        self.conv1 = build_conv_layer(
            conv_cfg, in_channels, out_channels, 3, stride, 1, bias=False)
        _, self.norm2 = build_norm_layer(norm_cfg, out_channels)
        self.act2 = build_activation_layer(act_cfg)
        self.dropout = nn.Dropout(drop_rate) if drop_rate > 0 else None
        self.conv2 = build_conv_layer(
            conv_cfg, out_channels, out_channels, 3, 1, 1, bias=False)
        self.shortcut = None
        if stride != 1 or in_channels != out_channels:
            self.shortcut = build_conv_layer(
                conv_cfg, in_channels, out_channels, 1, stride, 0, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Forward one block."""
        pre = self.act1(self.norm1(x))
        out = self.conv1(pre)
        out = self.act2(self.norm2(out))
        if self.dropout is not None:
            out = self.dropout(out)
        out = self.conv2(out)
        identity = x if self.shortcut is None else self.shortcut(pre)
        return out + identity


@MODELS.register_module()
class WideResNet(BaseBackbone):
    """Wide-ResNet backbone for 32x32 inputs (CIFAR, SVHN).

    WRN-``depth``-``widen_factor``: a 3x3 stem convolution with 16 channels,
    three stages of ``(depth - 4) / 6`` pre-activation basic blocks with
    ``16k``, ``32k`` and ``64k`` channels (strides 1, 2, 2), and a final
    norm + activation, as in "Wide Residual Networks" (Zagoruyko &
    Komodakis, BMVC 2016) and the WRN used by AutoAugment, Fast AutoAugment
    and DADA. WRN-40-2 has 2.2M parameters and WRN-28-10 36.5M (with a
    10-class linear head), as published.

    Args:
        depth (int): Number of layers, ``6n + 4`` (e.g. 10, 16, 28, 40).
            Defaults to 28.
        widen_factor (int): Width multiplier ``k``. Defaults to 10.
        drop_rate (float): Dropout probability inside the blocks.
            Defaults to 0.
        in_channels (int): Input image channels. Defaults to 3.
        out_indices (Sequence[int]): Stages whose outputs are returned, from
            0 to 2. The last stage's output is taken after the final
            norm + activation; earlier ones are the raw stage outputs.
            Defaults to ``(2, )``.
        conv_cfg (dict, optional): Config of the convolution layers.
        norm_cfg (dict): Config of the normalisation layers.
            Defaults to ``dict(type='BN')``.
        act_cfg (dict): Config of the activation layers.
            Defaults to ``dict(type='ReLU')``.
        init_cfg (dict | list[dict], optional): Initialisation config.
            Defaults to Kaiming (fan_out) for convolutions and ones/zeros for
            normalisation layers, as in the authors' code.

    Examples:
        >>> import torch
        >>> from mmautoaug.models import WideResNet
        >>> model = WideResNet(depth=40, widen_factor=2)
        >>> outs = model(torch.rand(2, 3, 32, 32))
        >>> tuple(outs[-1].shape)
        (2, 128, 8, 8)
    """

    def __init__(self,
                 depth: int = 28,
                 widen_factor: int = 10,
                 drop_rate: float = 0.0,
                 in_channels: int = 3,
                 out_indices: Sequence[int] = (2, ),
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU'),
                 init_cfg: Optional[Union[dict, list]] = [
                     dict(type='Kaiming', layer='Conv2d', mode='fan_out',
                          nonlinearity='relu'),
                     dict(type='Constant', val=1, layer=['_BatchNorm'])
                 ]) -> None:
        super().__init__(init_cfg)
        if not isinstance(depth, int) or depth < 10 or (depth - 4) % 6:
            raise ValueError(
                f'WideResNet: depth must be 6n+4 with n >= 1 (10, 16, 22, '
                f'28, 34, 40, ...), got {depth!r}.')
        if not isinstance(widen_factor, int) or widen_factor < 1:
            raise ValueError('WideResNet: widen_factor must be a positive '
                             f'integer, got {widen_factor!r}.')
        out_indices = tuple(out_indices)
        if not out_indices or any(i not in (0, 1, 2) for i in out_indices):
            raise ValueError('WideResNet: out_indices must be a non-empty '
                             f'subset of (0, 1, 2), got {out_indices!r}.')
        self.depth = depth
        self.widen_factor = widen_factor
        self.out_indices = out_indices
        num_blocks = (depth - 4) // 6
        widths = [16 * widen_factor, 32 * widen_factor, 64 * widen_factor]
        self.stem = build_conv_layer(
            conv_cfg, in_channels, 16, 3, 1, 1, bias=False)
        channels = 16
        self.stages = nn.ModuleList()
        for width, stride in zip(widths, (1, 2, 2)):
            blocks = []
            for b in range(num_blocks):
                blocks.append(
                    WideBasicBlock(
                        channels,
                        width,
                        stride=stride if b == 0 else 1,
                        drop_rate=drop_rate,
                        conv_cfg=conv_cfg,
                        norm_cfg=norm_cfg,
                        act_cfg=act_cfg))
                channels = width
            self.stages.append(nn.Sequential(*blocks))
        _, self.final_norm = build_norm_layer(norm_cfg, channels)
        self.final_act = build_activation_layer(act_cfg)
        self.out_channels = channels

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Return the feature maps of the stages in ``out_indices``."""
        x = self.stem(x)
        outs = []
        for i, stage in enumerate(self.stages):
            x = stage(x)
            if i == len(self.stages) - 1:
                x = self.final_act(self.final_norm(x))
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)
