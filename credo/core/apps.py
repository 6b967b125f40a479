from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "credo.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from credo.core import job_panels, jobs, panels, periodic

        panels.register(job_panels.contribute)  # the viewer's background work, while it runs and just after

        periodic.register("the deletion of export files whose time is up", jobs.sweep_job_outputs)
