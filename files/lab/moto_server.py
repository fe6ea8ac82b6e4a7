"""The lab's AWS endpoint: moto's server with fixes for moto gaps that real AWS does not have.

Only the emulator is patched here; the collection's modules and roles stay as they run on AWS.
Each fix names the gap (see also README, "moto gaps").
"""

import sys

from moto.kms.models import KmsBackend
from moto.server import main


def _accept_key_arn(method):
    # moto 5.2: EnableKey, DisableKey, ScheduleKeyDeletion and CancelKeyDeletion take only a bare
    # key id and fail with a 500 on a key ARN, which AWS accepts and amazon.aws.kms_key sends.
    def wrapper(self, key_id, *args, **kwargs):
        return method(self, self.get_key_id(key_id), *args, **kwargs)

    return wrapper


for _name in ("enable_key", "disable_key", "schedule_key_deletion", "cancel_key_deletion"):
    setattr(KmsBackend, _name, _accept_key_arn(getattr(KmsBackend, _name)))

if __name__ == "__main__":
    main(sys.argv[1:])
