terraform {
  required_providers {
    hwtasks = {
      source = "hwtasks/hwtasks"
    }
  }
}

# The job_id that the GaussDB(for MySQL) API returned when the job was
# started: by another module, a pipeline step or the console.
variable "job_id" {
  type        = string
  description = "ID of the GaussDB(for MySQL) job to wait for, such as the creation of an instance."
}

# Wait until the job has finished, and stop the run with the API's own reason
# if it failed. Everything that refers to this data source waits too.
data "hwtasks_gaussdb_job" "create" {
  id                  = var.job_id
  wait_for_completion = true
  poll_interval       = "10s"

  timeouts {
    read = "45m"
  }

  lifecycle {
    postcondition {
      condition     = self.status == "Completed"
      error_message = "GaussDB job ${self.id} (${self.name}) ended ${self.status}: ${coalesce(self.fail_reason, "no reason given")}"
    }
  }
}

# entities depends on the kind of job: try() keeps the outputs working for
# jobs whose entities have no such key.
output "datastore" {
  value = try(data.hwtasks_gaussdb_job.create.entities.instance.datastore.type, null)
}

output "endpoint" {
  value = try(data.hwtasks_gaussdb_job.create.entities.instance.endpoint, null)
}

output "resource_ids" {
  value = try(data.hwtasks_gaussdb_job.create.entities.resource_ids, [])
}

output "resource_count" {
  value = length(try(data.hwtasks_gaussdb_job.create.entities.resource_ids, []))
}

# created and ended are RFC 3339, so Terraform's time functions accept them.
output "finished_at" {
  value = formatdate("YYYY-MM-DD hh:mm ZZZ", data.hwtasks_gaussdb_job.create.ended)
}
