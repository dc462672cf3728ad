# The demo that `make demo` runs against the local emulator. It is also an
# example of real use: point the provider at a real region with real
# credentials (and drop `endpoints`), and set the variables to your own IDs.

terraform {
  required_providers {
    hwtasks = {
      source = "hwtasks/hwtasks"
    }
  }
}

variable "endpoint" {
  description = "Base URL of every API: the emulator's, in the demo."
  type        = string
}

variable "rocketmq_instance_id" {
  type    = string
  default = "6b8e1a52-3c9f-4f4e-9d2a-1f0c7e5b9a01"
}

variable "created_job_id" {
  description = "A GaussDB(for MySQL) job that has completed: the instance's creation."
  type        = string
  default     = "31b8ae23-c687-4d80-b7b4-42a66c9bb886"
}

variable "resize_job_id" {
  description = "A GaussDB(for MySQL) job still running: a resize started by another pipeline."
  type        = string
  default     = "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
}

# Region and credentials come from HW_REGION_NAME, HW_ACCESS_KEY and
# HW_SECRET_KEY, as with any Huawei Cloud tool.
provider "hwtasks" {
  endpoints = {
    iam     = var.endpoint
    dms     = var.endpoint
    gaussdb = var.endpoint
  }
}

# Every background task of the instance, all pages.
data "hwtasks_rocketmq_background_tasks" "all" {
  instance_id = var.rocketmq_instance_id
}

# The failed ones only; the newest comes first.
data "hwtasks_rocketmq_background_tasks" "failed" {
  instance_id = var.rocketmq_instance_id
  status      = "FAILED"
}

data "hwtasks_gaussdb_job" "created" {
  id = var.created_job_id
}

# Wait for the resize to finish, and stop here if it failed.
data "hwtasks_gaussdb_job" "resize" {
  id                  = var.resize_job_id
  wait_for_completion = true
  poll_interval       = "500ms"

  lifecycle {
    postcondition {
      condition     = self.status == "Completed"
      error_message = "The resize ended ${self.status}: ${coalesce(self.fail_reason, "no reason given")}"
    }
  }
}

locals {
  tasks    = data.hwtasks_rocketmq_background_tasks.all.tasks
  statuses = sort(distinct(local.tasks[*].status))
}

output "tasks_per_status" {
  description = "How many background tasks the instance has, per status."
  value       = { for s in local.statuses : s => length([for t in local.tasks : t if t.status == s]) }
}

output "latest_failed_task" {
  description = "The newest failed task, who started it, and its parameters."
  value = try({
    name       = data.hwtasks_rocketmq_background_tasks.failed.tasks[0].name
    user       = data.hwtasks_rocketmq_background_tasks.failed.tasks[0].user_name
    created_at = data.hwtasks_rocketmq_background_tasks.failed.tasks[0].created_at
    params     = data.hwtasks_rocketmq_background_tasks.failed.tasks[0].params_map
  }, null)
}

output "created_instance" {
  description = "The completed creation job: its status and what it created."
  value = {
    status    = data.hwtasks_gaussdb_job.created.status
    created   = data.hwtasks_gaussdb_job.created.created
    datastore = "${data.hwtasks_gaussdb_job.created.entities.instance.datastore.type} ${data.hwtasks_gaussdb_job.created.entities.instance.datastore.version}"
  }
}

output "resize_job" {
  description = "The resize job, after waiting for it: status, progress and datastore."
  value = {
    status = data.hwtasks_gaussdb_job.resize.status
    # The API reports progress only while a job runs.
    progress  = data.hwtasks_gaussdb_job.resize.progress == null ? "none (the job has ended)" : "${data.hwtasks_gaussdb_job.resize.progress}%"
    datastore = data.hwtasks_gaussdb_job.resize.entities.instance.datastore.type
    flavor    = data.hwtasks_gaussdb_job.resize.entities.instance.flavor_ref
  }
}
