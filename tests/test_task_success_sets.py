"""bench.task_success's four sets of callers stay apart: the held-out callers share no name,
number or voice with the tuning and development callers, which are tuned on."""

from bench import task_success_dev, task_success_dev2, task_success_script, task_success_tuning

TUNED_ON = (task_success_tuning, task_success_dev, task_success_dev2)


def test_no_held_out_name_number_or_voice_is_tuned_on():
    held_out = task_success_script.CALLS
    for tuned in TUNED_ON:
        assert not {c.name for c in held_out} & {c.name for c in tuned.CALLS}
        assert not {c.phone_e164 for c in held_out} & {c.phone_e164 for c in tuned.CALLS}
        assert not set(task_success_script.VOICES) & set(tuned.VOICES)
