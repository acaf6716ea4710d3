# Copyright (c) mmautoaug contributors. All rights reserved.
from .policy_export_hook import PolicyExportHook  # noqa: F401
from .policy_schedule_hook import PolicyScheduleHook  # noqa: F401
from .random_state_hook import RandomStateHook  # noqa: F401
from .search_cost_hook import (SearchCostHook, format_duration,  # noqa: F401
                               parse_duration)
