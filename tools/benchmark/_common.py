# Copyright (c) mmautoaug contributors. All rights reserved.
"""Helpers the benchmarks share: threads, device sync, peak memory, the
stock detectors.

Imported by the scripts of this folder (``from _common import ...``; the
folder of a script run as ``python tools/benchmark/x.py`` is on its path).

Peak memory is what a user sizes a search by (``M`` copies, batch size):

- CPU: the peak resident set size (``VmHWM`` of ``/proc/self/status``),
  reset before the measured part where the kernel allows it (writing ``5``
  to ``/proc/self/clear_refs``, Linux >= 4.0); otherwise the peak since the
  process started, which the table then says;
- CUDA: ``torch.cuda.max_memory_allocated`` after
  ``torch.cuda.reset_peak_memory_stats`` (tensors only, not the caching
  allocator's reserve nor the CUDA context).
"""
import resource
from typing import Optional

import torch


#: The stock mmdet configs of the detectors the detection benchmarks build.
STOCK_DETECTORS = {
    'retinanet': 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py',
    'faster_rcnn': 'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py',
    'mask_rcnn': 'mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py',
}


def stock_detector_config(name: str):
    """The model config of a stock detector (:data:`STOCK_DETECTORS`),
    without its ImageNet-pretrained backbone (nothing is downloaded)."""
    from mmautoaug.detection import read_config
    cfg = read_config(STOCK_DETECTORS[name]).model
    cfg.backbone.init_cfg = None
    return cfg


def set_threads(threads: Optional[int]) -> None:
    """Torch's and OpenCV's CPU threads (``None``: their defaults).

    Both are set so that per-image rows (OpenCV) and batched rows (torch)
    run on the same number of cores.
    """
    if not threads:
        return
    torch.set_num_threads(threads)
    try:
        import cv2
        cv2.setNumThreads(threads)
    except ImportError:  # the op library needs OpenCV; benchmarks may not
        pass


def sync(device) -> None:
    """Wait for the device's queued work (CUDA), so times are complete."""
    if torch.device(device).type == 'cuda':
        torch.cuda.synchronize()


def _status_kib(field: str) -> Optional[int]:
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith(field + ':'):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class PeakMemory:
    """Measure the peak memory of a block of code.

    Examples:
        >>> with PeakMemory('cpu') as peak:
        ...     x = torch.ones(1 << 20)
        >>> peak.rss_mib > 0
        True
    """

    def __init__(self, device='cpu'):
        self.device = torch.device(device)
        self.rss_mib: Optional[float] = None
        #: resident set size when the measured part began
        self.start_rss_mib: Optional[float] = None
        self.cuda_mib: Optional[float] = None
        #: whether ``rss_mib`` is the peak of the block (else of the process)
        self.rss_of_block = False

    def __enter__(self) -> 'PeakMemory':
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> 'PeakMemory':
        """Begin the measured part (or use the object as a context)."""
        rss = _status_kib('VmRSS')
        self.start_rss_mib = None if rss is None else rss / 1024
        try:
            with open('/proc/self/clear_refs', 'w') as f:
                f.write('5')  # peak RSS := current RSS
            self.rss_of_block = _status_kib('VmHWM') is not None
        except OSError:
            self.rss_of_block = False
        if self.device.type == 'cuda':
            sync(self.device)
            torch.cuda.reset_peak_memory_stats(self.device)
        return self

    def stop(self) -> 'PeakMemory':
        """End the measured part: read the peaks."""
        kib = _status_kib('VmHWM')
        if kib is None:  # no /proc: ru_maxrss is KiB on Linux
            kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.rss_mib = kib / 1024
        if self.device.type == 'cuda':
            sync(self.device)
            self.cuda_mib = torch.cuda.max_memory_allocated(
                self.device) / 2**20
        return self

    def cells(self) -> str:
        """``'<peak> MiB RSS (+<growth>)[, <cuda> MiB CUDA]'`` for a table:
        the growth over the resident size when the part began is what the
        part itself needed."""
        rss = f'{self.rss_mib:.0f} MiB RSS'
        if not self.rss_of_block:
            rss += ' (process peak)'
        elif self.start_rss_mib is not None:
            rss += f' (+{max(0.0, self.rss_mib - self.start_rss_mib):.0f})'
        if self.cuda_mib is None:
            return rss
        return f'{rss}, {self.cuda_mib:.0f} MiB CUDA'


def summary(what: str, value: float, target: Optional[str] = None) -> None:
    """Print the key ratio of a benchmark as one ``SUMMARY`` line.

    ``tools/benchmark/device_check.sh`` collects these lines of every
    benchmark into one table.

    Args:
        what (str): What the value measures.
        value (float): The measured ratio.
        target (str, optional): ``'>= 50'`` or ``'<= 5'``: the value is
            then marked ``ok`` or ``MISSED``.

    Examples:
        >>> summary('DADA step vs plain step', 3.2, '<= 5')
        SUMMARY | DADA step vs plain step | 3.20 | <= 5 | ok
    """
    verdict = ''
    if target:
        op, bound = target.split()
        met = value >= float(bound) if op == '>=' else value <= float(bound)
        verdict = 'ok' if met else 'MISSED'
    print(f'SUMMARY | {what} | {value:.2f} | {target or ""} | {verdict}')
