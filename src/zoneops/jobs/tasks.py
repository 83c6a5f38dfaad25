"""The task the job worker runs (django-tasks): one per job, by the job's id."""

from django_tasks import task


@task()
def run_job(job_id: int) -> str:
    from zoneops.jobs import services

    return services.run(job_id)
