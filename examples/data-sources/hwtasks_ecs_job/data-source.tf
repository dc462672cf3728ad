terraform {
  required_providers {
    hwtasks = {
      source = "hwtasks/hwtasks"
    }
  }
}

# The job_id that the ECS API returned when servers were created or resized,
# by another configuration, a pipeline step or the console.
variable "job_id" {
  type        = string
  description = "ID of the ECS job to wait for."
}

# Wait for the job, and stop the run with the reason of the first sub-job
# that failed.
data "hwtasks_ecs_job" "create" {
  id                  = var.job_id
  wait_for_completion = true
  poll_interval       = "10s"

  lifecycle {
    postcondition {
      condition = self.status == "SUCCESS"
      error_message = format("ECS job %s (%s) ended %s: %s", self.id, self.job_type, self.status, coalesce(
        try([for s in self.sub_jobs : s.fail_reason if s.status == "FAIL"][0], null),
        self.fail_reason,
        "no reason given",
      ))
    }
  }
}

# The servers the job created, from the sub-jobs' entities.
output "server_ids" {
  value = [for s in data.hwtasks_ecs_job.create.sub_jobs : try(jsondecode(s.entities_json).server_id, null)]
}

output "sub_jobs" {
  value = "${length(data.hwtasks_ecs_job.create.sub_jobs)} of ${data.hwtasks_ecs_job.create.sub_jobs_total}"
}
