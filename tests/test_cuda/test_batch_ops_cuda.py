# Copyright (c) mmautoaug contributors. All rights reserved.
"""The batched face on the GPU gives the CPU's pixels, op by op."""
import pytest
import torch

from mmautoaug.augment import (AUTOAUGMENT, FASTAA, OP_PARAMS,
                               apply_batch_op, augment_batch)
from tests.test_augment.conftest import PARAMS

pytestmark = pytest.mark.cuda

OPS = list(OP_PARAMS)


def _images(n, h, w, seed=0):
    """Random levels and smooth ramps (ties, flat regions, full range)."""
    g = torch.Generator().manual_seed(seed)
    noise = torch.randint(0, 256, (n, 3, h, w), dtype=torch.uint8, generator=g)
    ramp = (torch.arange(h * w) % 256).view(1, 1, h, w).expand(n, 3, h, w)
    pick = torch.arange(n).view(n, 1, 1, 1) % 2 == 0
    return torch.where(pick, noise, ramp.to(torch.uint8)).contiguous()


@pytest.mark.parametrize('dtype', [torch.uint8, torch.float32])
@pytest.mark.parametrize('size', [(32, 32), (61, 75), (224, 224)])
def test_every_op_equals_the_cpu(device, dtype, size):
    cases = [(op, v) for op, vs in PARAMS.items() for v in vs]
    x = _images(len(cases), *size).to(dtype)
    op_index = torch.tensor([OPS.index(op) for op, _ in cases])
    param = torch.tensor([0.0 if v is None else v for _, v in cases],
                         dtype=torch.float64)
    kw = dict(ops=OPS, fill=(128, 64, 0))
    want = apply_batch_op(x, op_index, param, **kw)
    got = apply_batch_op(x.to(device), op_index.to(device),
                         param.to(device), **kw)
    assert got.device.type == device.type and got.dtype == dtype
    for i, (op, v) in enumerate(cases):
        same = got[i].cpu() == want[i]
        assert bool(same.all()), (
            f'{op}({v}) at {size}: {1 - same.float().mean():.2%} pixels '
            f'differ from the CPU')


@pytest.mark.parametrize('space', [FASTAA, AUTOAUGMENT])
def test_a_large_mixed_batch_equals_the_cpu(device, space):
    """One call, every op of a space mixed over 512 samples (the blocks of
    the GPU path are whole, the CPU's come in pieces)."""
    n = 512
    x = _images(n, 64, 64, seed=1)
    g = torch.Generator().manual_seed(2)
    ops = [k for k, op in enumerate(space.ops) if op != 'Cutout' and
           op != 'SamplePairing']
    op_index = torch.tensor(ops)[torch.randint(len(ops), (n, ),
                                               generator=g)]
    magnitude = torch.rand(n, generator=g)
    applied = torch.rand(n, generator=g) < 0.7
    sign = torch.randint(0, 2, (n, ), generator=g) * 2 - 1
    want = augment_batch(x, space, op_index, magnitude, applied, sign=sign)
    got = augment_batch(x.to(device), space, op_index.to(device),
                        magnitude.to(device), applied.to(device),
                        sign=sign.to(device))
    assert torch.equal(got.cpu(), want)


def test_straight_through_gradient_on_the_gpu(device):
    x = _images(8, 16, 16).float().to(device)
    m = torch.full((8, ), 0.7, device=device, requires_grad=True)
    op_index = torch.full((8, ), FASTAA.ops.index('Brightness'),
                          device=device)
    applied = torch.tensor([1, 0] * 4, dtype=torch.bool, device=device)
    out = augment_batch(x, FASTAA, op_index, m, applied)
    (grad, ) = torch.autograd.grad(out.sum(), [m])
    want = applied.float() * x[0].numel()
    torch.testing.assert_close(grad, want)
