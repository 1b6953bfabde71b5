"""The project's own tests. `pytester` drives the plugin in its own tests."""

from hypothesis import settings

pytest_plugins = ["pytester"]

# The project's property tests judge correctness, not speed: on a loaded 2-core CI
# machine one example of a pure function took 330 ms and failed Hypothesis' default
# 200 ms deadline as "flaky". Speed is the benchmarks' job.
settings.register_profile("project-tests", deadline=None)
settings.load_profile("project-tests")
