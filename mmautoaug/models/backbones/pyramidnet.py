# Copyright (c) mmautoaug contributors. All rights reserved.
"""PyramidNet (Han et al., 2017) with ShakeDrop (Yamada et al., 2018) for
32x32 inputs: the model of AutoAugment's, Fast AutoAugment's and Adversarial
AutoAugment's best CIFAR results."""
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_conv_layer, build_norm_layer
from mmengine.model import BaseModule
from mmpretrain.models.backbones.base_backbone import BaseBackbone

from mmautoaug.registry import MODELS


def shake_drop(residual: torch.Tensor, keep_prob: float,
               training: bool) -> torch.Tensor:
    """Scale a residual branch with ShakeDrop.

    In training every sample draws a gate ``b ~ Bernoulli(keep_prob)``,
    ``alpha ~ U(-1, 1)`` and, independently, ``beta ~ U(0, 1)``; the
    forward pass returns ``(b + alpha - b * alpha) * residual`` and the
    backward pass sends ``(b + beta - b * beta) * grad`` to the branch: a
    kept sample (``b = 1``) passes unchanged both ways, a dropped one is
    shaken by ``alpha`` forward and ``beta`` backward (Yamada et al. 2018,
    Eq. 5; per image, as in AutoAugment's PyramidNet code). In evaluation
    it returns the expectation ``keep_prob * residual`` (``E[alpha] = 0``).

    Like :func:`~mmautoaug.models.backbones.shake_shake`, the split is
    written with ``detach``: ``beta``'s coefficient carries the gradient and
    the detached difference corrects the value.

    Args:
        residual (Tensor): The branch output ``(N, ...)``.
        keep_prob (float): ``p_l``, the probability that the gate is 1.
        training (bool): Shake (True) or scale by ``keep_prob`` (False).

    Returns:
        Tensor: The scaled branch.

    Examples:
        >>> x = torch.ones(2, 3)
        >>> shake_drop(x, 0.5, training=False).tolist()
        [[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]
    """
    if not training:
        return keep_prob * residual
    shape = (residual.size(0), ) + (1, ) * (residual.dim() - 1)
    kwargs = dict(device=residual.device, dtype=residual.dtype)
    kept = torch.rand(shape, **kwargs) < keep_prob
    alpha = torch.rand(shape, **kwargs) * 2 - 1
    beta = torch.rand(shape, **kwargs)
    one = torch.ones((), **kwargs)
    # b + alpha - b * alpha is 1 for a kept sample, alpha for a dropped one
    forward_coef = torch.where(kept, one, alpha)
    backward_coef = torch.where(kept, one, beta)
    return residual * backward_coef + (
        residual * (forward_coef - backward_coef)).detach()


class PyramidBlock(BaseModule):
    """A PyramidNet residual unit with an optional ShakeDrop.

    Bottleneck: ``BN - conv1x1 - BN - ReLU - conv3x3 (stride) - BN - ReLU -
    conv1x1 (4x) - BN``; basic: ``BN - conv3x3 (stride) - BN - ReLU -
    conv3x3 - BN`` (Han et al. 2017, Fig. 6(d)). The shortcut is the
    identity, average-pooled 2x2 when the unit downsamples, zero-padded to
    the wider output (no projection: the paper's "zero-padded identity").

    Args:
        in_channels (int): Input channels.
        planes (int): Width of the unit's convolutions.
        stride (int): Stride of the 3x3 convolution (1 or 2).
        bottleneck (bool): Bottleneck (output ``4 * planes``) or basic unit.
        keep_prob (float, optional): ShakeDrop's ``p_l``; None disables it.
        conv_cfg (dict, optional): Config of the convolution layers.
        norm_cfg (dict): Config of the normalisation layers.
    """

    expansion_bottleneck = 4

    def __init__(self,
                 in_channels: int,
                 planes: int,
                 stride: int = 1,
                 bottleneck: bool = True,
                 keep_prob: Optional[float] = None,
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: dict = dict(type='BN')) -> None:
        super().__init__()
        self.stride = stride
        self.keep_prob = keep_prob
        out = planes * (self.expansion_bottleneck if bottleneck else 1)
        self.out_channels = out
        if bottleneck:
            layers = [
                build_norm_layer(norm_cfg, in_channels)[1],
                build_conv_layer(conv_cfg, in_channels, planes, 1, bias=False),
                build_norm_layer(norm_cfg, planes)[1],
                nn.ReLU(inplace=True),
                build_conv_layer(conv_cfg, planes, planes, 3, stride, 1,
                                 bias=False),
                build_norm_layer(norm_cfg, planes)[1],
                nn.ReLU(inplace=True),
                build_conv_layer(conv_cfg, planes, out, 1, bias=False),
                build_norm_layer(norm_cfg, out)[1],
            ]
        else:
            layers = [
                build_norm_layer(norm_cfg, in_channels)[1],
                build_conv_layer(conv_cfg, in_channels, planes, 3, stride, 1,
                                 bias=False),
                build_norm_layer(norm_cfg, planes)[1],
                nn.ReLU(inplace=True),
                build_conv_layer(conv_cfg, planes, planes, 3, 1, 1,
                                 bias=False),
                build_norm_layer(norm_cfg, planes)[1],
            ]
        self.residual = nn.Sequential(*layers)
        self.pad = out - in_channels
        if self.pad < 0:
            raise ValueError(f'PyramidBlock: the output ({out}) must not be '
                             f'narrower than the input ({in_channels})')

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Forward one unit."""
        out = self.residual(x)
        if self.keep_prob is not None:
            out = shake_drop(out, self.keep_prob, self.training)
        shortcut = x
        if self.stride != 1:
            shortcut = F.avg_pool2d(shortcut, 2, self.stride, ceil_mode=True)
        if self.pad:
            shortcut = F.pad(shortcut, (0, 0, 0, 0, 0, self.pad))
        return out + shortcut


@MODELS.register_module()
class PyramidNet(BaseBackbone):
    """PyramidNet backbone for 32x32 inputs, with optional ShakeDrop.

    "Deep Pyramidal Residual Networks" (Han et al., CVPR 2017): a 3x3 stem
    convolution with 16 channels + BN, then ``3n`` units whose width grows
    additively by ``alpha / 3n`` per unit (from 16 to ``16 + alpha``,
    rounded per unit), the first unit of the second and third stages with
    stride 2, and a final BN + ReLU. ``n = (depth - 2) / 9`` for bottleneck
    units, ``(depth - 2) / 6`` for basic ones. With ``shake_drop=True``
    every unit's residual goes through :func:`shake_drop` with the "linear
    decay rule" ``p_l = 1 - l / L * (1 - p_L)``, ``p_L = 0.5`` (Yamada et
    al. 2018). PyramidNet-272 (alpha 200, bottleneck) + ShakeDrop is the
    26.2M-parameter model of AutoAugment's and Adversarial AutoAugment's
    best CIFAR results (1.36% CIFAR-10 error with Adversarial AutoAugment).

    Args:
        depth (int): Number of layers: ``9n + 2`` (bottleneck) or ``6n + 2``
            (basic). Defaults to 272.
        alpha (int | float): Total width increase. Defaults to 200.
        bottleneck (bool): Bottleneck (output ``4x`` the width) or basic
            units. Defaults to True.
        shake_drop (bool): Apply ShakeDrop to every unit. Defaults to True.
        final_keep_prob (float): ``p_L``, the last unit's keep probability
            (the first unit's is close to 1). Defaults to 0.5.
        stem_channels (int): Channels of the stem (and the first unit's
            starting width). Defaults to 16.
        in_channels (int): Input image channels. Defaults to 3.
        out_indices (Sequence[int]): Stages whose outputs are returned, from
            0 to 2; the last stage's output is taken after the final BN +
            ReLU. Defaults to ``(2, )``.
        conv_cfg (dict, optional): Config of the convolution layers.
        norm_cfg (dict): Config of the normalisation layers.
            Defaults to ``dict(type='BN')``.
        init_cfg (dict | list[dict], optional): Initialisation config.
            Defaults to Kaiming (fan_out) for convolutions and ones/zeros for
            normalisation layers.

    Examples:
        >>> import torch
        >>> from mmautoaug.models import PyramidNet
        >>> model = PyramidNet(depth=11, alpha=12)  # one unit per stage
        >>> _ = model.eval()
        >>> tuple(model(torch.rand(2, 3, 32, 32))[-1].shape)
        (2, 112, 8, 8)
        >>> PyramidNet().out_channels  # 4 * (16 + 200)
        864
    """

    def __init__(self,
                 depth: int = 272,
                 alpha: Union[int, float] = 200,
                 bottleneck: bool = True,
                 shake_drop: bool = True,
                 final_keep_prob: float = 0.5,
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
        per_unit = 9 if bottleneck else 6
        if isinstance(depth, bool) or not isinstance(depth, int) or \
                depth < per_unit + 2 or (depth - 2) % per_unit:
            kind = 'bottleneck' if bottleneck else 'basic'
            raise ValueError(
                f'PyramidNet: depth must be {per_unit}n+2 with n >= 1 for '
                f'{kind} units (e.g. {per_unit * 30 + 2}), got {depth!r}.')
        if isinstance(alpha, bool) or not isinstance(
                alpha, (int, float)) or alpha < 0:
            raise ValueError(f'PyramidNet: alpha must be a number >= 0, got '
                             f'{alpha!r}.')
        if not 0.0 < final_keep_prob <= 1.0:
            raise ValueError(f'PyramidNet: final_keep_prob must lie in '
                             f'(0, 1], got {final_keep_prob!r}.')
        out_indices = tuple(out_indices)
        if not out_indices or any(i not in (0, 1, 2) for i in out_indices):
            raise ValueError('PyramidNet: out_indices must be a non-empty '
                             f'subset of (0, 1, 2), got {out_indices!r}.')
        self.depth = depth
        self.alpha = alpha
        self.out_indices = out_indices
        num_units = (depth - 2) // per_unit
        total = 3 * num_units
        self.stem = nn.Sequential(
            build_conv_layer(
                conv_cfg, in_channels, stem_channels, 3, 1, 1, bias=False),
            build_norm_layer(norm_cfg, stem_channels)[1])
        width = float(stem_channels)
        channels = stem_channels
        self.stages = nn.ModuleList()
        unit = 0
        for stage, stride in enumerate((1, 2, 2)):
            units = []
            for i in range(num_units):
                unit += 1
                width += alpha / total
                keep = (1.0 - unit / total * (1.0 - final_keep_prob)
                        if shake_drop else None)
                block = PyramidBlock(
                    channels,
                    int(round(width)),
                    stride=stride if i == 0 else 1,
                    bottleneck=bottleneck,
                    keep_prob=keep,
                    conv_cfg=conv_cfg,
                    norm_cfg=norm_cfg)
                units.append(block)
                channels = block.out_channels
            self.stages.append(nn.Sequential(*units))
        self.final_norm = build_norm_layer(norm_cfg, channels)[1]
        self.out_channels = channels

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Return the feature maps of the stages in ``out_indices``."""
        x = self.stem(x)
        outs = []
        for i, stage in enumerate(self.stages):
            x = stage(x)
            if i == len(self.stages) - 1:
                x = F.relu(self.final_norm(x))
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)
