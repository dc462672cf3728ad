# Row 5 of BENCHMARKS.md: `terraform plan` of one data source that reads
# 10,000 tasks (100 pages) through the emulator, whose task list answers
# 20 ms late, as bench/run.sh starts it. Instance bench-rocketmq-10000 comes
# from bench/cmd/benchfixtures.

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
  instance_id = "bench-rocketmq-10000"
}

output "task_count" {
  value = data.hwtasks_rocketmq_background_tasks.all.task_count
}

output "failed" {
  value = length([for t in data.hwtasks_rocketmq_background_tasks.all.tasks : t if t.status == "FAILED"])
}
