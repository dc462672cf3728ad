terraform {
  required_providers {
    hwtasks = {
      source = "hwtasks/hwtasks"
    }
  }
}

variable "instance_id" {
  type        = string
  description = "ID of the DCS (Redis) instance."
}

# Every resize (EXTEND) of the instance that succeeded.
data "hwtasks_dcs_background_tasks" "resizes" {
  instance_id = var.instance_id
  name        = "EXTEND"
  status      = "SUCCESS"
}

# details has typed fields: the capacities of a resize, in GB.
output "capacity_changes" {
  value = [
    for t in data.hwtasks_dcs_background_tasks.resizes.tasks :
    "${t.created_at}: ${t.details.old_capacity} GB to ${t.details.new_capacity} GB"
  ]
}

# Tasks still queued or running.
data "hwtasks_dcs_background_tasks" "all" {
  instance_id = var.instance_id
}

output "pending" {
  value = [for t in data.hwtasks_dcs_background_tasks.all.tasks : t.name if contains(["CREATED", "WAITING", "EXECUTING"], t.status)]
}
