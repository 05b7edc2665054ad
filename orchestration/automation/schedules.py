"""The daily full refresh: every known list, re-fetched and re-checked, then the marts."""


import dagster as dg

from .partitions import LISTS, range_tags

REFRESH_JOB = "refresh_all"
DAILY = "0 6 * * *"  # 06:00 in Beijing, after the CAC's working day has published


@dg.schedule(name="daily_refresh", cron_schedule=DAILY, execution_timezone="Asia/Shanghai",
             job_name=REFRESH_JOB, default_status=dg.DefaultScheduleStatus.RUNNING,
             description="Every day: a fresh scan, every known list re-fetched and re-checked "
                         "(one run over all list partitions), the marts, exports and publish.")
def daily_refresh(context: dg.ScheduleEvaluationContext):
    keys = context.instance.get_dynamic_partitions(LISTS.name)
    if not keys:
        return dg.SkipReason("no list is known yet: the new_publications sensor registers them")
    return dg.RunRequest(run_key=None, tags={**range_tags(keys), "beian/trigger": "daily_refresh"})
