# Row 3 of BENCHMARKS.md: what `terraform plan` costs with the provider.
# bench/run.sh plans it against the emulator, loaded with the fixtures of
# bench/cmd/benchfixtures: instance bench-rocketmq-257 has 257 tasks (three
# pages), and bench-gaussdb-job is a completed job.

terraform {
  required_providers {
    hwtasks = {
      source = "hwtasks/hwtasks"
    }
  }
}

variable "endpoint" {
  description = "Base URL of the emulator."
  type        = string
}

# Region and credentials come from HW_REGION_NAME, HW_ACCESS_KEY and
# HW_SECRET_KEY; the project is looked up through IAM, once.
provider "hwtasks" {
  endpoints = {
    iam     = var.endpoint
    dms     = var.endpoint
    gaussdb = var.endpoint
  }
}

data "hwtasks_rocketmq_background_tasks" "all" {
  instance_id = "bench-rocketmq-257"
}

data "hwtasks_gaussdb_job" "created" {
  id = "bench-gaussdb-job"
}

locals {
  tasks    = data.hwtasks_rocketmq_background_tasks.all.tasks
  statuses = sort(distinct(local.tasks[*].status))
}

output "task_count" {
  value = data.hwtasks_rocketmq_background_tasks.all.task_count
}

output "tasks_per_status" {
  value = { for s in local.statuses : s => length([for t in local.tasks : t if t.status == s]) }
}

output "job" {
  value = {
    status    = data.hwtasks_gaussdb_job.created.status
    datastore = data.hwtasks_gaussdb_job.created.entities.instance.datastore.type
  }
}
