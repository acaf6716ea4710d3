# Copyright (c) mmautoaug contributors. All rights reserved.
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub

from mmautoaug.utils import allow_mmengine_checkpoints


def _message_hub_checkpoint(path):
    hub = MessageHub.get_instance('test-ckpt-types')
    hub.update_scalar('train/loss', np.float64(0.5))
    hub.update_scalar('train/lr', 0.1)
    hub.update_info('dataset_meta', dict(classes=('a', 'b')))
    torch.save(dict(state_dict=dict(w=torch.ones(2)),
                    message_hub=hub.state_dict(),
                    meta=dict(epoch=1, seed=np.int64(3))), path)


def test_mmengine_checkpoint_loads_with_weights_only(tmp_path):
    path = str(tmp_path / 'ckpt.pth')
    _message_hub_checkpoint(path)
    allow_mmengine_checkpoints()
    ckpt = torch.load(path, map_location='cpu', weights_only=True)
    buf = ckpt['message_hub']['log_scalars']['train/loss']
    assert isinstance(buf, HistoryBuffer)
    assert buf.current() == pytest.approx(0.5)
    assert ckpt['meta']['seed'] == 3


class _Evil:

    def __reduce__(self):
        return (print, ('this must never run',))


def test_other_pickled_objects_are_still_rejected(tmp_path):
    allow_mmengine_checkpoints()
    path = str(tmp_path / 'evil.pth')
    torch.save(dict(payload=_Evil()), path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, map_location='cpu', weights_only=True)


class _Sneaky:

    def __reduce__(self):
        # getattr(np.ndarray, 'tofile') would be harmless to fetch, but the
        # unpickler must not hand out arbitrary attributes at all.
        return (getattr, (np.ndarray, 'tofile'))


def test_getattr_is_restricted_to_history_buffer_methods(tmp_path):
    allow_mmengine_checkpoints()
    path = str(tmp_path / 'sneaky.pth')
    torch.save(dict(payload=_Sneaky()), path)
    with pytest.raises(pickle.UnpicklingError, match='HistoryBuffer'):
        torch.load(path, map_location='cpu', weights_only=True)
