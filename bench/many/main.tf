# Row 4 of BENCHMARKS.md: 50 data sources in one plan, each one read that
# makes one request (after the provider's single project lookup): 25
# RocketMQ instances of three tasks each (one page) and 25 GaussDB jobs,
# as bench/cmd/benchfixtures writes them.

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

provider "hwtasks" {
  endpoints = {
    iam     = var.endpoint
    dms     = var.endpoint
    gaussdb = var.endpoint
  }
}

locals {
  indexes = [for i in range(25) : format("%02d", i)]
}

data "hwtasks_rocketmq_background_tasks" "each" {
  for_each    = toset(local.indexes)
  instance_id = "bench-rocketmq-${each.key}"
}

data "hwtasks_gaussdb_job" "each" {
  for_each = toset(local.indexes)
  id       = "bench-gaussdb-${each.key}"
}

output "data_sources" {
  value = length(data.hwtasks_rocketmq_background_tasks.each) + length(data.hwtasks_gaussdb_job.each)
}

output "tasks" {
  value = sum([for d in data.hwtasks_rocketmq_background_tasks.each : d.task_count])
}

output "completed_jobs" {
  value = length([for j in data.hwtasks_gaussdb_job.each : j if j.status == "Completed"])
}
