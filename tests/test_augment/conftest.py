# Copyright (c) mmautoaug contributors. All rights reserved.
"""Real photographs and PIL references shared by the op-library tests."""
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageEnhance, ImageOps


def _bundled_photos():
    """Photographs that ship inside installed packages (no download)."""
    photos = {}
    try:
        from skimage import data
        for name in ('astronaut', 'chelsea', 'coffee'):
            photos[name] = getattr(data, name)()
    except ImportError:
        pass
    try:
        from sklearn.datasets import load_sample_images
        bunch = load_sample_images()
        for name, img in zip(bunch.filenames, bunch.images):
            photos[name.rsplit('/', 1)[-1].split('.')[0]] = img
    except ImportError:
        pass
    return photos


@pytest.fixture(scope='session')
def photos():
    """Bundled photographs resized to 64x64 and 40x56 (non-square), RGB."""
    found = _bundled_photos()
    if not found:
        pytest.skip('neither scikit-image nor scikit-learn is installed '
                    '(requirements/tests.txt)')
    out = {}
    for name, img in found.items():
        pil = Image.fromarray(np.ascontiguousarray(img[..., :3]))
        out[name] = np.asarray(pil.resize((64, 64), Image.BILINEAR))
        out[name + '_40x56'] = np.asarray(pil.resize((56, 40), Image.BILINEAR))
    return out


@pytest.fixture(scope='session')
def random_images():
    rng = np.random.default_rng(0)
    return {
        'uniform': rng.integers(0, 256, (32, 32, 3), dtype=np.uint8),
        'narrow': rng.integers(60, 120, (33, 27, 3), dtype=np.uint8),
        'flat': np.full((16, 16, 3), 77, np.uint8),
    }


def pil_reference(img: np.ndarray, op: str, v, fill=(0, 0, 0)):
    """The op as the authors' code called PIL (Fast AutoAugment's
    ``augmentations.py`` / AutoAugment's ``augmentation_transforms.py``)."""
    pil = Image.fromarray(img)
    w, h = pil.size
    if pil.mode == 'L' and isinstance(fill, tuple):
        fill = fill[0]
    affine = {
        'ShearX': lambda: (1, v, 0, 0, 1, 0),
        'ShearY': lambda: (1, 0, 0, v, 1, 0),
        'TranslateX': lambda: (1, 0, v * w, 0, 1, 0),
        'TranslateY': lambda: (1, 0, 0, 0, 1, v * h),
    }
    if op in affine:
        out = pil.transform(
            pil.size, Image.AFFINE, affine[op](), fillcolor=fill)
    elif op == 'Rotate':
        out = pil.rotate(v, fillcolor=fill)
    elif op == 'AutoContrast':
        out = ImageOps.autocontrast(pil)
    elif op == 'Invert':
        out = ImageOps.invert(pil)
    elif op == 'Equalize':
        out = ImageOps.equalize(pil)
    elif op == 'Solarize':
        out = ImageOps.solarize(pil, v)
    elif op == 'Posterize':
        out = ImageOps.posterize(pil, int(v))
    elif op in ('Contrast', 'Color', 'Brightness', 'Sharpness'):
        out = getattr(ImageEnhance, op)(pil).enhance(v)
    elif op == 'Identity':
        out = pil
    else:
        raise KeyError(op)
    return np.asarray(out)


def pil_cutout(img: np.ndarray, v: float, cx: float, cy: float, colour):
    """Fast AutoAugment's ``CutoutAbs`` with a given centre."""
    pil = Image.fromarray(img).copy()
    side = v * pil.size[0]
    x0 = int(max(0, cx - side / 2.))
    y0 = int(max(0, cy - side / 2.))
    x1 = min(pil.size[0], x0 + side)
    y1 = min(pil.size[1], y0 + side)
    ImageDraw.Draw(pil).rectangle((x0, y0, x1, y1), colour)
    return np.asarray(pil)


class ReplayRng:
    """Stands in for ``np.random.Generator``: replays given uniforms."""

    def __init__(self, values):
        self.values = list(values)

    def uniform(self, low, high):
        return low + (high - low) * self.values.pop(0)


#: Parameters per op: the spaces' extremes, AWS levels and odd values.
PARAMS = {
    'ShearX': [0.3, -0.3, 0.1, 0.2, -0.2378],
    'ShearY': [0.3, -0.17, 0.2],
    'TranslateX': [0.45, -0.45, 0.151, 0.5 / 32, 150 / 331],
    'TranslateY': [0.45, -0.33, 0.302],
    'Rotate': [30.0, -30.0, 10.0, 17.3, 90.0, 180.0, -90.0, 0.0],
    'AutoContrast': [None],
    'Invert': [None],
    'Equalize': [None],
    'Solarize': [0.0, 128.0, 170.7, 256.0, 85.3],
    'Posterize': [1, 4, 5, 7, 8],
    'Contrast': [0.1, 1.9, 0.5, 1.37],
    'Color': [0.1, 1.9, 0.63],
    'Brightness': [0.1, 1.9, 1.3, 0.7],
    'Sharpness': [0.1, 1.9, 1.45],
    'Identity': [None],
}


def darts_cutout(img: np.ndarray, length: int, cx: int, cy: int, colour):
    """The paper Cutout as DARTS-style training code paints it, for a given
    integer centre: rows ``clip(cy -+ length // 2)``, columns likewise."""
    h, w = img.shape[:2]
    out = img.copy()
    y1, y2 = np.clip([cy - length // 2, cy + length // 2], 0, h)
    x1, x2 = np.clip([cx - length // 2, cx + length // 2], 0, w)
    out[y1:y2, x1:x2] = colour
    return out
