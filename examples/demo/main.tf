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

variable "rds_resize_job_id" {
  description = "An RDS job still running: a flavor change started by hand in the console."
  type        = string
  default     = "5c2e1a7b-9d3f-4e8a-b6c4-2f1e0d9c8b7a"
}

variable "ecs_create_job_id" {
  description = "An ECS job still running: two servers being created by a pipeline."
  type        = string
  default     = "ff8080829c1a5b7e019c2e4f6a8d0001"
}

variable "cce_create_job_id" {
  description = "A CCE job still running: a cluster being created."
  type        = string
  default     = "e3b1c5d8-9f2a-11f0-8c4e-0255ac100b21"
}

variable "dcs_instance_id" {
  type    = string
  default = "3c9e5a71-2f4b-4d8e-a6c0-9b1d3f5e7a24"
}

# Region and credentials come from HW_REGION_NAME, HW_ACCESS_KEY and
# HW_SECRET_KEY, as with any Huawei Cloud tool. The emulator serves every
# service on one address, and those whose paths would collide under a
# prefix of their own.
provider "hwtasks" {
  endpoints = {
    iam     = var.endpoint
    dms     = var.endpoint
    gaussdb = var.endpoint
    rds     = "${var.endpoint}/rds"
    dcs     = "${var.endpoint}/dcs"
    ecs     = "${var.endpoint}/ecs"
    cce     = "${var.endpoint}/cce"
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

# Wait for the RDS resize too: the same attributes as any database job.
data "hwtasks_rds_job" "resize" {
  id                  = var.rds_resize_job_id
  wait_for_completion = true
  poll_interval       = "500ms"

  lifecycle {
    postcondition {
      condition     = self.status == "Completed"
      error_message = "The RDS resize ended ${self.status}: ${self.fail_reason}"
    }
  }
}

# Wait for the servers, and report the first sub-job that failed, if any.
data "hwtasks_ecs_job" "servers" {
  id                  = var.ecs_create_job_id
  wait_for_completion = true
  poll_interval       = "500ms"

  lifecycle {
    postcondition {
      condition = self.status == "SUCCESS"
      error_message = format("Creating the servers ended %s: %s", self.status, coalesce(
        try([for s in self.sub_jobs : s.fail_reason if s.status == "FAIL"][0], null),
        self.fail_reason,
        "no reason given",
      ))
    }
  }
}

# And for the cluster.
data "hwtasks_cce_job" "cluster" {
  id                  = var.cce_create_job_id
  wait_for_completion = true
  poll_interval       = "500ms"

  lifecycle {
    postcondition {
      condition     = self.status == "Success"
      error_message = "Creating the cluster ended ${self.status}: ${self.reason}"
    }
  }
}

# The background tasks of a Redis instance, with their typed details.
data "hwtasks_dcs_background_tasks" "redis" {
  instance_id = var.dcs_instance_id
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

output "rds_resize" {
  description = "The RDS resize, after waiting for it."
  value = {
    name   = data.hwtasks_rds_job.resize.name
    status = data.hwtasks_rds_job.resize.status
    ended  = data.hwtasks_rds_job.resize.ended
  }
}

output "redis_tasks" {
  description = "The Redis instance's tasks: name, status, and a resize's capacities."
  value = [
    for t in data.hwtasks_dcs_background_tasks.redis.tasks :
    "${t.name} ${t.status}${t.details.new_capacity == null ? "" : " (${t.details.old_capacity} GB to ${t.details.new_capacity} GB)"}"
  ]
}

output "servers" {
  description = "The ECS job, after waiting for it: each sub-job and its server."
  value = {
    status   = data.hwtasks_ecs_job.servers.status
    ended    = data.hwtasks_ecs_job.servers.end_time
    sub_jobs = [for s in data.hwtasks_ecs_job.servers.sub_jobs : "${s.status} ${try(jsondecode(s.entities_json).server_id, "")}"]
  }
}

output "cluster" {
  description = "The CCE job, after waiting for it, and its sub-jobs."
  value = {
    status   = data.hwtasks_cce_job.cluster.status
    created  = data.hwtasks_cce_job.cluster.created
    sub_jobs = { for s in data.hwtasks_cce_job.cluster.sub_jobs : s.job_type => s.status }
  }
}
