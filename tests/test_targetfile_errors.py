"""load_target_file: every problem names the file, the key and the fix."""

from __future__ import annotations

import pytest

from conformance.targetfile import TargetFileError, load_target_file


def _load(tmp_path, text: str):
    path = tmp_path / "target.toml"
    path.write_text(text)
    return path, lambda: load_target_file(path)


@pytest.mark.parametrize(
    ("text", "key", "fix"),
    [
        ('endpoint = "x"\n', "'endpoint'", "unknown key; a target file accepts name,"),
        ('[endpoints]\nsagemaker_runtim = "http://x"\n', "'endpoints.sagemaker_runtim'",
         "[endpoints] accepts s3, sagemaker, sagemaker_runtime, sns, sqs"),
        ("[extra]\na = 1\n", "'extra'", "unknown key"),
        ('probe = "yes"\n', "'probe'", "expected true or false"),
        ("clock_scale = true\n", "'clock_scale'", "expected a number"),
        ("clock_scale = 0\n", "'clock_scale'", "positive number"),
        ("clock_scale = nan\n", "'clock_scale'", "positive number"),
        ('profiles = "core"\n', "'profiles'", "expected a list of strings"),
        ('profiles = ["core", "bogus"]\n', "'profiles'", "unknown value(s) ['bogus']"),
        ('input_s3 = "https://bucket/x"\n', "'input_s3'", "expected something like 's3://bucket/prefix/'"),
        ('endpoint_name = "a_b"\n', "'endpoint_name'", "is not valid"),
        ('region = "US East"\n', "'region'", "expected something like 'us-east-1'"),
        ("[async_config]\nmax_concurrent_invocations_per_instance = 0\n",
         "'async_config.max_concurrent_invocations_per_instance'", "expected 1 to 1000"),
        ("[async_config]\ninstance_count = 1.5\n", "'async_config.instance_count'", "an integer"),
        ('[async_config]\nsuccess_topic = "t"\n', "'async_config.success_topic'", "arn:aws:sns"),
        ('[async_config]\ninclude_inference_response_in = ["BOTH"]\n',
         "'async_config.include_inference_response_in'", "SUCCESS_NOTIFICATION_TOPIC"),
        ('[endpoints]\ns3 = "localhost:4566"\n', "'endpoints.s3'", "http://127.0.0.1:4566"),
        ('[deployment]\ntag_key = "k"\n', "'deployment.tag_value'", "missing"),
        ('endpoints = "http://x"\n', "'endpoints'", "expected a table"),
    ],
)  # fmt: skip
def test_problems_name_file_key_and_fix(tmp_path, text, key, fix):
    path, load = _load(tmp_path, text)
    with pytest.raises(TargetFileError) as caught:
        load()
    message = str(caught.value)
    assert message.startswith(f"{path}: key {key}: ")
    assert fix in message
    assert "\n" not in message


def test_invalid_toml_names_the_file_and_the_line(tmp_path):
    path, load = _load(tmp_path, 'name = "a"\nprobe = \n')
    with pytest.raises(TargetFileError, match=rf"^{path}: not valid TOML: .*line 2"):
        load()


def test_a_missing_file_says_so(tmp_path):
    with pytest.raises(TargetFileError, match="no such target file; check the path"):
        load_target_file(tmp_path / "absent.toml")
