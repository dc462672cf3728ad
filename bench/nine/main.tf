# Row 6 of BENCHMARKS.md: one of each of the provider's nine data sources in
# one plan, against the fixtures of bench/cmd/benchfixtures: the RocketMQ,
# Kafka and RabbitMQ instances bench-nine-rocketmq, -kafka and -rabbitmq and
# the DCS instance bench-nine-dcs, 20 tasks each (one page), and the
# completed jobs bench-nine-gaussdb, -rds, -opengauss, -dds and -geminidb.
# Each read makes one request, after the provider's single project lookup.

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

# The emulator serves every service on one base URL; those whose paths
# collide (five job APIs, and DCS's tasks with DMS's) under a prefix, the
# service's endpoint key (see emulator.ServicePrefix).
provider "hwtasks" {
  endpoints = {
    iam       = var.endpoint
    dms       = var.endpoint
    gaussdb   = var.endpoint
    rds       = "${var.endpoint}/rds"
    opengauss = "${var.endpoint}/opengauss"
    dds       = "${var.endpoint}/dds"
    geminidb  = "${var.endpoint}/geminidb"
    dcs       = "${var.endpoint}/dcs"
  }
}

data "hwtasks_rocketmq_background_tasks" "nine" {
  instance_id = "bench-nine-rocketmq"
}

data "hwtasks_kafka_background_tasks" "nine" {
  instance_id = "bench-nine-kafka"
}

data "hwtasks_rabbitmq_background_tasks" "nine" {
  instance_id = "bench-nine-rabbitmq"
}

data "hwtasks_dcs_background_tasks" "nine" {
  instance_id = "bench-nine-dcs"
}

data "hwtasks_gaussdb_job" "nine" {
  id = "bench-nine-gaussdb"
}

data "hwtasks_rds_job" "nine" {
  id = "bench-nine-rds"
}

data "hwtasks_opengauss_job" "nine" {
  id = "bench-nine-opengauss"
}

data "hwtasks_dds_job" "nine" {
  id = "bench-nine-dds"
}

data "hwtasks_geminidb_job" "nine" {
  id = "bench-nine-geminidb"
}

locals {
  task_lists = {
    rocketmq = data.hwtasks_rocketmq_background_tasks.nine
    kafka    = data.hwtasks_kafka_background_tasks.nine
    rabbitmq = data.hwtasks_rabbitmq_background_tasks.nine
    dcs      = data.hwtasks_dcs_background_tasks.nine
  }
  jobs = {
    gaussdb   = data.hwtasks_gaussdb_job.nine
    rds       = data.hwtasks_rds_job.nine
    opengauss = data.hwtasks_opengauss_job.nine
    dds       = data.hwtasks_dds_job.nine
    geminidb  = data.hwtasks_geminidb_job.nine
  }
}

# How many of the nine were read with what the fixtures hold: a task list
# with its 20 tasks, a job Completed under its own ID.
output "data_sources" {
  value = (
    length([for l in local.task_lists : l if l.task_count == 20 && length(l.tasks) == 20]) +
    length([for k, j in local.jobs : j if j.status == "Completed" && j.name != ""])
  )
}

output "tasks" {
  value = { for k, l in local.task_lists : k => length(l.tasks) }
}

output "job_statuses" {
  value = { for k, j in local.jobs : k => j.status }
}

# The DCS tasks' typed details were read too: the resizes (EXTEND), each
# with its new capacity.
output "dcs_resizes" {
  value = length([for t in data.hwtasks_dcs_background_tasks.nine.tasks : t if t.details.new_capacity != null])
}
