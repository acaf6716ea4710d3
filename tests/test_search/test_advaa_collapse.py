# Copyright (c) mmautoaug contributors. All rights reserved.
"""Collapse: visible in the log, and held off by AdvAAHook(entropy_floor)."""
import copy

import pytest
import torch

from mmautoaug.augment import AUTOAUGMENT

TRANSLATE_Y = AUTOAUGMENT.index('TranslateY')


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def hardness(actions: torch.Tensor) -> torch.Tensor:
    """A synthetic training loss per policy that grows with TranslateY and
    with the magnitude bin: what a long search rewards, and what the public
    reproductions collapse onto (TranslateY at the largest magnitude)."""
    ops, bins = actions[..., 0], actions[..., 1].float()
    return ((ops == TRANSLATE_Y).float() + bins / 9).mean((1, 2))


def _search(updates, **kwargs):
    from mmautoaug.search.advaa import AdvAAHook
    torch.manual_seed(0)
    # 10x the paper's Adam rate, so that the default collapses in ~50
    # updates (at 3.5e-4 it takes 200-600, entropy 50.7 -> 1.1 at 400)
    hook = AdvAAHook(num_policies=8, optimizer=dict(type='Adam', lr=3.5e-3),
                     seed=0, **kwargs)
    entropies = []
    for update in range(updates):
        actions = hook.sample(seed=update)
        hook.update(hardness(actions), actions)
        entropies.append(hook.probe_entropy())
    return hook, entropies


def _fresh_entropy_and_share(hook):
    """Entropy and TranslateY's share on 512 policies not drawn by the
    probe."""
    with torch.no_grad():
        out = hook.generator(512, generator=torch.Generator().manual_seed(9))
    share = (out.actions[..., 0] == TRANSLATE_Y).float().mean()
    return float(out.entropy.mean()), float(share)


def test_the_paper_weight_collapses_and_the_floor_holds():
    updates, floor = 100, 25.0
    default, entropies = _search(updates)
    assert entropies[0] > 50.0  # near uniform: 10 ln 16 + 10 ln 10
    assert entropies[-1] < 5.0, entropies[-1]  # collapsed
    fresh, share = _fresh_entropy_and_share(default)
    assert fresh < 5.0 and share > 0.9  # onto TranslateY

    held, entropies = _search(updates, entropy_floor=floor)
    # after every update the entropy is at or above the floor ...
    assert min(entropies) >= floor, min(entropies)
    fresh, share = _fresh_entropy_and_share(held)
    assert fresh > floor - 1.0  # ... on other draws too
    # ... and the floor did bind: the generator went as far as it allowed
    assert min(entropies) < floor + 3.0
    # the adaptive weight did the holding; skipping an update is the last
    # resort (a wrong-signed entropy term would need it every time)
    assert held.skipped_updates <= 5, held.skipped_updates
    # it still learns what the reward wants, short of collapsing
    assert share > 3 / 16, share


def test_the_adaptive_weight_relaxes_when_the_floor_does_not_bind():
    from mmautoaug.search.advaa import AdvAAHook
    hook = AdvAAHook(entropy_floor=1.0, seed=0)
    hook.current_entropy_weight = 0.64
    actions = hook.sample(seed=0)
    hook.update(torch.arange(8.0), actions)
    assert hook.current_entropy_weight == pytest.approx(0.32)
    for _ in range(20):
        hook.update(torch.arange(8.0), actions)
    assert hook.current_entropy_weight == hook.entropy_weight == 1e-5


class _Logger:

    def __init__(self):
        self.warnings, self.infos = [], []

    def warning(self, msg, *args):
        self.warnings.append(msg % args if args else msg)

    def info(self, msg, *args):
        self.infos.append(msg % args if args else msg)


class _Visualizer:

    def add_scalars(self, *args, **kwargs):
        pass


class _Runner:

    def __init__(self):
        from mmengine.logging import MessageHub
        self.logger = _Logger()
        self.message_hub = MessageHub.get_instance('test_advaa_collapse')
        self.visualizer = _Visualizer()


def test_a_warning_when_one_op_takes_over():
    from mmautoaug.search.advaa import AdvAAHook
    hook = AdvAAHook(num_policies=2, warn_op_share=0.5)
    runner = _Runner()
    actions = hook.sample(seed=0)
    stats = hook._log(runner, actions, epoch=1)
    assert not runner.logger.warnings  # near-uniform: no warning
    assert stats['advaa/top_op_frac'] < 0.5
    # 11 of the 20 op decisions are TranslateY: 55% > 50%
    actions[0, ..., 0] = TRANSLATE_Y
    actions[1, ..., 0] = 0  # ShearX
    actions[1, 0, 0, 0] = TRANSLATE_Y
    stats = hook._log(runner, actions, epoch=7)
    assert stats['advaa/top_op_frac'] == pytest.approx(11 / 20)
    warning, = runner.logger.warnings
    assert 'AdvAA epoch 7: TranslateY is 55% of the op decisions' in warning
    assert 'entropy_floor' in warning
    assert runner.message_hub.get_scalar(
        'train/advaa/top_op_frac').current() == pytest.approx(0.55)


def test_the_adaptive_weight_travels_in_the_checkpoint():
    from mmautoaug.search.advaa import AdvAAHook
    hook = AdvAAHook(entropy_floor=30.0)
    hook.current_entropy_weight, hook.skipped_updates = 0.25, 3
    checkpoint = {}
    hook.before_save_checkpoint(None, checkpoint)
    again = AdvAAHook(entropy_floor=30.0)
    again.after_load_checkpoint(None, checkpoint)
    assert again.current_entropy_weight == 0.25
    assert again.skipped_updates == 3


@pytest.mark.parametrize('kwargs, field', [
    (dict(entropy_floor=0.0), 'entropy_floor'),
    (dict(entropy_weight=-1e-5), 'entropy_weight'),
    (dict(max_entropy_weight=1e-6), 'max_entropy_weight'),
    (dict(probe_policies=1), 'probe_policies'),
    (dict(warn_op_share=0.0), 'warn_op_share'),
    (dict(transfer_epochs=0), 'transfer_epochs'),
])
def test_arguments_are_checked(kwargs, field):
    from mmautoaug.search.advaa import AdvAAHook
    with pytest.raises(ValueError, match=field):
        AdvAAHook(**kwargs)


def test_a_binding_floor_retakes_the_step_with_a_growing_weight():
    """When the step would leave the entropy below the floor, it is undone
    and retaken with 4x the entropy weight, up to the cap: the weights tried
    climb the ladder (a shrinking weight would never reach the cap)."""
    from mmautoaug.search.advaa import AdvAAHook
    torch.manual_seed(0)
    hook = AdvAAHook(num_policies=8, optimizer=dict(type='Adam', lr=0.05),
                     entropy_floor=60.0, max_entropy_weight=0.01, seed=0)
    start = copy.deepcopy(hook.generator.state_dict())
    tried = []
    step = hook._step

    def spy(losses, actions, entropy_weight):
        tried.append(entropy_weight)
        if len(tried) > 20:
            raise RuntimeError(f'the retries do not end: {tried}')
        return step(losses, actions, entropy_weight)

    hook._step = spy
    before = hook.probe_entropy()
    assert before < 60.0  # the floor binds from the start
    actions = hook.sample(seed=0)
    hook.update(hardness(actions), actions)
    ladder = [min(1e-5 * 4**i, 0.01) for i in range(6)]
    assert tried == pytest.approx(ladder[:len(tried)], rel=1e-9), tried
    assert len(tried) >= 2
    # near uniform, no weight up to the cap keeps every bit of entropy
    # against this reward: the update is skipped, the generator restored
    assert len(tried) == len(ladder) and hook.skipped_updates == 1
    for k, v in hook.generator.state_dict().items():
        torch.testing.assert_close(v, start[k], rtol=0, atol=0)
    assert hook.probe_entropy() == before
    assert hook.current_entropy_weight == 0.01  # the next one starts there
