# Copyright (c) mmautoaug contributors. All rights reserved.
