# Copyright (c) mmautoaug contributors. All rights reserved.
"""Embedded demo data sets, built on first use from packaged images."""
from .atomic import build_dir_atomically
from .demo_cifar import (DEMO_CIFAR_MD5, DemoCIFAR10, build_demo_cifar,
                         render_demo_cifar, write_demo_cifar)
from .demo_fewshot import (FEWSHOT_MD5, DemoFewShotCIFAR10, build_fewshot,
                           render_fewshot, write_fewshot)
from .demo_coco import (SHAPE_NAMES, DemoCocoDataset, build_demo_coco,
                        rasterize_polygon, shape_polygon, write_demo_coco)
from .glyphs import DIGIT_NAMES
from .py2_pickle import dumps_py2

__all__ = [
    'DemoCIFAR10', 'DemoCocoDataset', 'build_demo_cifar', 'build_demo_coco',
    'write_demo_cifar', 'write_demo_coco', 'render_demo_cifar',
    'build_dir_atomically', 'dumps_py2', 'rasterize_polygon',
    'shape_polygon', 'DIGIT_NAMES', 'SHAPE_NAMES', 'DEMO_CIFAR_MD5',
    'DemoFewShotCIFAR10', 'build_fewshot', 'write_fewshot', 'render_fewshot',
    'FEWSHOT_MD5'
]
