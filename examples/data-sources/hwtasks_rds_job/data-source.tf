terraform {
  required_providers {
    hwtasks = {
      source = "hwtasks/hwtasks"
    }
  }
}

# The job_id that the RDS API returned when the job was started (a resize, a
# restart, the creation of an instance), by another configuration, a
# pipeline step or the console.
variable "job_id" {
  type        = string
  description = "ID of the RDS job to wait for."
}

# Wait until the job has finished, and stop the run with the API's reason,
# in Chinese here, if it failed.
data "hwtasks_rds_job" "this" {
  id                  = var.job_id
  wait_for_completion = true
  poll_interval       = "10s"
  language            = "zh-cn"

  timeouts {
    read = "45m"
  }

  lifecycle {
    postcondition {
      condition     = self.status == "Completed"
      error_message = "RDS job ${self.id} (${self.name}) ended ${self.status}: ${self.fail_reason}"
    }
  }
}

# entities depends on the job; try() keeps the output working for jobs
# without the key.
output "datastore" {
  value = try("${data.hwtasks_rds_job.this.entities.instance.datastore.type} ${data.hwtasks_rds_job.this.entities.instance.datastore.version}", null)
}

output "instance" {
  value = data.hwtasks_rds_job.this.instance.name
}
