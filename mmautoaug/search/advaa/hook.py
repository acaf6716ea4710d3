# Copyright (c) mmautoaug contributors. All rights reserved.
"""The hook that runs Adversarial AutoAugment's generator around training."""
import copy
import json
import os.path as osp
from typing import Optional, Union

import torch
import torch.nn as nn
from mmengine import dist
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import OPTIMIZERS
from mmengine.runner import EpochBasedTrainLoop

from mmautoaug.models.policy_models.advaa import (op_histogram,
                                                  reinforce_loss,
                                                  union_policy)
from mmautoaug.policy.schedule import SCHEDULE_DIR, schedule_file_name
from mmautoaug.registry import HOOKS, MODELS
from .transfer import transfer_policy

#: The single-file policy for transfer (see :func:`transfer_policy`).
TRANSFER_FILE = 'policy_transfer.json'


@HOOKS.register_module()
class AdvAAHook(Hook):
    """Sample, collect and update: the adversarial loop of AdvAA.

    - ``before_train_epoch``: the generator samples ``M`` policies (from a
      seed derived from ``(seed, epoch)`` on rank 0, then broadcast, so every
      rank uses the same ones and a resumed run draws the same ones again);
      they go to the model (:class:`AdvAAClassifier`) and to
      ``work_dir/policy_schedule/epoch_XXXX.json``; the entropy and op
      histogram are logged.
    - ``after_train_epoch``: the per-policy loss sums are summed over ranks,
      divided by the image count, and the generator takes one REINFORCE step
      (:func:`reinforce_loss`) that MAXIMISES them; the parameters are then
      broadcast from rank 0 so every rank holds the identical generator.
      ``work_dir/policy.json`` holds the policies just trained on.
    - ``after_train``: ``M`` policies from the final generator are saved to
      ``work_dir/policy_final.json``, and the single-file policy for
      transfer, the weighted union of the last ``transfer_epochs`` epochs
      of the schedule (:func:`transfer_policy`), to
      ``work_dir/policy_transfer.json``.
    - The generator, its optimiser and the epoch's policies travel in the
      checkpoint (``checkpoint['advaa']``), so ``--resume`` continues.

    Collapse: with the paper's entropy weight (1e-5) a long search can
    concentrate the generator on one op at its largest magnitude (public
    reproductions end on TranslateY). The op histogram and the entropy are
    logged every epoch, and a warning is logged when one op takes more than
    ``warn_op_share`` of the epoch's op decisions. ``entropy_floor`` holds
    diversity: the entropy weight then adapts. After each REINFORCE step
    the generator's entropy is measured on ``probe_policies`` sampled
    policies (a fixed seed, so two measurements differ by the step only);
    if it fell below the floor (or, when it was already below, fell at
    all), the step is undone and retaken with the weight multiplied by 4,
    up to ``max_entropy_weight`` (if even that one cannot keep the floor,
    the update is skipped); while the floor does not bind the weight halves
    every update, back to ``entropy_weight``. So once above the floor the
    entropy never ends an update below it (as measured on the probe), and
    the generator is as free as the floor allows. The weight in use is logged
    (``advaa/entropy_weight``) and checkpointed.

    Policy files hold the epoch's ``M`` policies as ONE
    :class:`~mmautoaug.policy.Policy` of ``M * Q`` sub-policies with uniform
    weights: picking one of them uniformly is picking a policy uniformly and
    then one of its sub-policies uniformly, as during the search.

    Args:
        generator (dict): The policy generator config. Defaults to
            ``AdvAAPolicyGenerator`` (LSTM 100, embeddings 32, Q=5, K=2).
        num_policies (int): ``M``, policies (copies of each batch) per epoch.
            Defaults to 8.
        optimizer (dict): The generator's optimiser. Defaults to Adam with
            lr 3.5e-4 (the paper's).
        entropy_weight (float): Entropy bonus. Defaults to 1e-5.
        op_prob (float): Application probability of each op of a chosen
            sub-policy. The paper's generator emits none and applies the ops
            of the chosen sub-policy; defaults to 1.0.
        entropy_floor (float, optional): Lowest generator entropy (nats,
            summed over a policy's ``2QK`` decisions; uniform is
            ``QK (ln ops + ln bins)`` = 50.75 for the defaults) the adaptive
            entropy weight keeps. None (default) keeps the paper's fixed
            weight.
        max_entropy_weight (float): Cap of the adaptive weight.
            Defaults to 1.0.
        probe_policies (int): Policies sampled to measure the entropy for
            ``entropy_floor``. Defaults to 128.
        warn_op_share (float): Log a warning when one op is more than this
            share of the epoch's op decisions (uniform: 1/16). Defaults to
            0.5.
        transfer_epochs (int): ``K``, the last epochs that make
            ``policy_transfer.json``. Defaults to 10.
        seed (int, optional): Seed of the policy sampling; defaults to the
            runner's seed.
        priority (str | int): Hook priority. Defaults to 'NORMAL'.
    """

    def __init__(self,
                 generator: dict = dict(type='AdvAAPolicyGenerator'),
                 num_policies: int = 8,
                 optimizer: dict = dict(type='Adam', lr=3.5e-4),
                 entropy_weight: float = 1e-5,
                 op_prob: float = 1.0,
                 entropy_floor: Optional[float] = None,
                 max_entropy_weight: float = 1.0,
                 probe_policies: int = 128,
                 warn_op_share: float = 0.5,
                 transfer_epochs: int = 10,
                 seed: Optional[int] = None,
                 priority: Union[int, str] = 'NORMAL'):
        self.priority = priority
        if not isinstance(num_policies, int) or num_policies < 2:
            raise ValueError(f'AdvAAHook: num_policies must be an int >= 2 '
                             f'(rewards are normalised across policies), got '
                             f'{num_policies!r}')
        if not 0.0 < op_prob <= 1.0:
            raise ValueError(f'AdvAAHook: op_prob must lie in (0, 1], got '
                             f'{op_prob!r}')
        if not entropy_weight >= 0:
            raise ValueError(f'AdvAAHook: entropy_weight must be >= 0, got '
                             f'{entropy_weight!r}')
        if entropy_floor is not None and not entropy_floor > 0:
            raise ValueError(f'AdvAAHook: entropy_floor must be None or > 0 '
                             f'(nats), got {entropy_floor!r}')
        if not max_entropy_weight >= entropy_weight:
            raise ValueError(f'AdvAAHook: max_entropy_weight '
                             f'({max_entropy_weight!r}) must be >= '
                             f'entropy_weight ({entropy_weight!r})')
        if not isinstance(probe_policies, int) or probe_policies < 2:
            raise ValueError(f'AdvAAHook: probe_policies must be an int >= '
                             f'2, got {probe_policies!r}')
        if not 0.0 < warn_op_share <= 1.0:
            raise ValueError(f'AdvAAHook: warn_op_share must lie in (0, 1], '
                             f'got {warn_op_share!r}')
        if not isinstance(transfer_epochs, int) or transfer_epochs < 1:
            raise ValueError(f'AdvAAHook: transfer_epochs must be a positive '
                             f'int, got {transfer_epochs!r}')
        self.generator: nn.Module = (MODELS.build(generator) if isinstance(
            generator, dict) else generator)
        self.optimizer = OPTIMIZERS.build(
            dict(optimizer, params=self.generator.parameters()))
        self.num_policies = num_policies
        self.entropy_weight = entropy_weight
        self.op_prob = op_prob
        self.entropy_floor = entropy_floor
        self.max_entropy_weight = max_entropy_weight
        self.probe_policies = probe_policies
        self.warn_op_share = warn_op_share
        self.transfer_epochs = transfer_epochs
        #: the entropy weight in use (adapts when entropy_floor is set)
        self.current_entropy_weight = float(entropy_weight)
        #: updates skipped because no weight kept the entropy floor
        self.skipped_updates = 0
        self.seed = seed
        self.actions: Optional[torch.Tensor] = None
        self.actions_epoch: Optional[int] = None
        #: the per-policy mean training losses of the last update
        self.last_losses: Optional[torch.Tensor] = None

    # -- helpers -------------------------------------------------------------
    @staticmethod
    def _model(runner) -> nn.Module:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        if not hasattr(model, 'set_policy_arrays'):
            raise TypeError(f'AdvAAHook needs an AdvAAClassifier or '
                            f'AdvAADetector model (with set_policy_arrays/'
                            f'pop_policy_losses), got '
                            f'{type(model).__name__}')
        return model

    def _seed(self, runner) -> int:
        return int(self.seed if self.seed is not None else runner.seed or 0)

    def _broadcast_generator(self) -> None:
        for tensor in list(self.generator.parameters()) + list(
                self.generator.buffers()):
            dist.broadcast(tensor.data, src=0)

    def sample(self, seed: int) -> torch.Tensor:
        """``M`` policies' decisions ``(M, Q, K, 2)``, identical on all
        ranks (drawn on rank 0 from ``seed``, then broadcast)."""
        rng = torch.Generator(device=next(
            self.generator.parameters()).device)
        rng.manual_seed(seed)
        with torch.no_grad():
            actions = self.generator(self.num_policies, generator=rng).actions
        dist.broadcast(actions, src=0)
        return actions

    def _policy(self, actions: torch.Tensor, meta: dict):
        """The ``M`` policies of ``actions`` as one policy of ``M * Q``
        uniformly weighted sub-policies."""
        return union_policy(
            self.generator.space.name,
            *self.generator.to_arrays(actions, self.op_prob),
            meta=dict(meta, method='advaa',
                      num_sub_policies=self.generator.num_sub_policies))

    def _log(self, runner, actions: torch.Tensor, epoch: int) -> dict:
        with torch.no_grad():
            out = self.generator(actions=actions)
        op_probs = out.op_probs
        op_entropy = -(op_probs * op_probs.clamp_min(1e-12).log()).sum(-1)
        hist = op_histogram(actions, self.generator.space.ops)
        total = sum(hist.values())
        top_op = max(hist, key=hist.get)
        stats = {
            'advaa/entropy': float(out.entropy.mean()),
            'advaa/op_entropy': float(op_entropy.mean()),
            'advaa/top_op_frac': hist[top_op] / total,
        }
        if self.entropy_floor is not None:
            stats['advaa/entropy_weight'] = self.current_entropy_weight
        runner.logger.info(
            f'AdvAA epoch {epoch}: entropy {stats["advaa/entropy"]:.4f} '
            f'(op decisions {stats["advaa/op_entropy"]:.4f}, uniform '
            f'{torch.log(torch.tensor(float(len(hist)))):.4f}), op histogram '
            + json.dumps({k: v for k, v in hist.items() if v}))
        if stats['advaa/top_op_frac'] > self.warn_op_share:
            runner.logger.warning(
                f'AdvAA epoch {epoch}: {top_op} is '
                f'{stats["advaa/top_op_frac"]:.0%} of the op decisions (more '
                f'than warn_op_share={self.warn_op_share}; uniform is '
                f'{1 / len(hist):.0%}): the generator may be collapsing onto '
                f'one op (entropy {stats["advaa/entropy"]:.2f}); '
                'AdvAAHook(entropy_floor=...) holds its diversity')
        for key, value in stats.items():
            runner.message_hub.update_scalar(f'train/{key}', value)
        runner.message_hub.update_info('advaa_op_histogram', hist)
        runner.visualizer.add_scalars(stats, step=epoch)
        return dict(stats, op_histogram=hist)

    # -- hook points ---------------------------------------------------------
    def before_train(self, runner) -> None:
        if not isinstance(runner.train_loop, EpochBasedTrainLoop):
            raise TypeError('AdvAAHook: the generator is updated once per '
                            'epoch; use an EpochBasedTrainLoop '
                            "(train_cfg=dict(by_epoch=True, ...)), got "
                            f'{type(runner.train_loop).__name__}')
        self._model(runner)
        self._broadcast_generator()

    def before_train_epoch(self, runner) -> None:
        epoch = runner.epoch + 1
        if self.actions is None or self.actions_epoch != epoch:
            self.actions = self.sample(self._seed(runner) * 100003 + epoch)
            self.actions_epoch = epoch
        model = self._model(runner)
        model.set_policy_arrays(
            *self.generator.to_arrays(self.actions, self.op_prob))
        augmentor = model.augmentor
        if getattr(augmentor, 'seed', None) is not None:
            # per epoch and rank, so a resumed epoch draws the same copies
            augmentor.reseed(augmentor.seed + 1000003 * epoch + runner.rank)
        stats = self._log(runner, self.actions, epoch)
        if runner.rank == 0:
            policy = self._policy(self.actions, dict(epoch=epoch, **stats))
            policy.save(
                osp.join(runner.work_dir, SCHEDULE_DIR,
                         schedule_file_name(epoch)))

    def after_train_epoch(self, runner) -> None:
        loss_sum, count = self._model(runner).pop_policy_losses()
        dist.all_reduce(loss_sum)
        dist.all_reduce(count)
        if float(count) <= 0:
            raise RuntimeError('AdvAAHook: no training loss was recorded '
                               'this epoch (empty data loader?)')
        losses = (loss_sum / count).float().cpu()
        self.last_losses = losses
        self.update(losses, self.actions)
        epoch = runner.epoch + 1
        runner.logger.info('AdvAA epoch %d: per-policy training losses %s',
                           epoch, [round(v, 4) for v in losses.tolist()])
        if self.entropy_floor is not None:
            runner.logger.info(
                f'AdvAA epoch {epoch}: entropy {self.probe_entropy():.4f} '
                f'after the update (floor {self.entropy_floor}), entropy '
                f'weight {self.current_entropy_weight:.3g}, '
                f'{self.skipped_updates} update(s) skipped so far')
        runner.visualizer.add_scalars(
            {'advaa/policy_loss_max': float(losses.max()),
             'advaa/policy_loss_min': float(losses.min())}, step=epoch)
        if runner.rank == 0:
            self._policy(self.actions,
                         dict(epoch=epoch, losses=losses.tolist())).save(
                             osp.join(runner.work_dir, 'policy.json'))

    def update(self, losses: torch.Tensor, actions: torch.Tensor) -> float:
        """One REINFORCE step on the policies ``actions`` with training
        ``losses`` ``(M,)``; returns the generator's loss. With
        ``entropy_floor`` the step is retaken with a larger entropy weight
        while it would leave the entropy below the floor (see the class
        docstring)."""
        if self.entropy_floor is None:
            return self._step(losses, actions, self.entropy_weight)
        before = self.probe_entropy()
        saved = (copy.deepcopy(self.generator.state_dict()),
                 copy.deepcopy(self.optimizer.state_dict()))
        weight = self.current_entropy_weight
        bound = False  # did the floor bind (a step retaken or skipped)?
        while True:
            loss = self._step(losses, actions, weight)
            if self._rank0_says(
                    self.probe_entropy() >= min(self.entropy_floor, before)):
                break
            bound = True
            self.generator.load_state_dict(saved[0])
            self.optimizer.load_state_dict(saved[1])
            if weight >= self.max_entropy_weight:
                # no weight keeps the floor: skip this update
                self.skipped_updates += 1
                break
            # (from a floor of 1e-6, so a zero weight grows too)
            weight = min(max(weight, 1e-6) * 4.0, self.max_entropy_weight)
        if not bound:
            # the floor did not bind: relax towards the paper's weight
            weight = max(self.entropy_weight, weight * 0.5)
        self.current_entropy_weight = weight
        return loss

    def _step(self, losses: torch.Tensor, actions: torch.Tensor,
              entropy_weight: float) -> float:
        self.generator.train()
        out = self.generator(actions=actions)
        loss = reinforce_loss(losses, out.log_prob, out.entropy,
                              entropy_weight)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        # Identical inputs give identical steps; the broadcast also removes
        # any non-deterministic kernel's last-bit differences.
        self._broadcast_generator()
        return float(loss.detach())

    def _rank0_says(self, flag: bool) -> bool:
        """Rank 0's ``flag`` on every rank, so that all ranks take the same
        branch even if their entropies differ in the last bits."""
        out = torch.tensor([int(flag)],
                           device=next(self.generator.parameters()).device)
        dist.broadcast(out, src=0)
        return bool(out.item())

    def probe_entropy(self) -> float:
        """The generator's entropy (nats per policy), the mean over
        ``probe_policies`` policies drawn from a fixed seed: the sum of a
        policy's decision entropies is an unbiased estimate of the entropy
        of the policy distribution (the chain rule), and the fixed draws
        make two measurements differ by the parameters only."""
        rng = torch.Generator(device=next(
            self.generator.parameters()).device)
        rng.manual_seed(int(self.seed or 0) + 7919)
        with torch.no_grad():
            out = self.generator(self.probe_policies, generator=rng)
        return float(out.entropy.mean())

    def after_train(self, runner) -> None:
        actions = self.sample(self._seed(runner) * 100003 + runner.epoch + 1)
        if runner.rank != 0:
            return
        self._policy(actions, dict(epoch=runner.epoch, final=True)).save(
            osp.join(runner.work_dir, 'policy_final.json'))
        schedule = osp.join(runner.work_dir, SCHEDULE_DIR)
        if osp.isdir(schedule):
            path = transfer_policy(
                schedule, self.transfer_epochs,
                meta=dict(num_sub_policies=self.generator.num_sub_policies)
            ).save(osp.join(runner.work_dir, TRANSFER_FILE))
            runner.logger.info(f'AdvAAHook: wrote the policy for transfer '
                               f'(the last {self.transfer_epochs} epochs of '
                               f'the schedule) to {path}')

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint['advaa'] = dict(
            generator=self.generator.state_dict(),
            optimizer=self.optimizer.state_dict(),
            actions=None if self.actions is None else self.actions.cpu(),
            actions_epoch=self.actions_epoch,
            entropy_weight=self.current_entropy_weight,
            skipped_updates=self.skipped_updates)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('advaa')
        if state is None:
            runner.logger.warning('AdvAAHook: the checkpoint has no AdvAA '
                                  'state; the generator starts afresh')
            return
        self.generator.load_state_dict(state['generator'])
        self.optimizer.load_state_dict(state['optimizer'])
        device = next(self.generator.parameters()).device
        self.actions = (None if state['actions'] is None else
                        state['actions'].to(device))
        self.actions_epoch = state['actions_epoch']
        self.current_entropy_weight = float(
            state.get('entropy_weight', self.entropy_weight))
        self.skipped_updates = int(state.get('skipped_updates', 0))
