terraform {
  required_providers {
    hwtasks = {
      source = "hwtasks/hwtasks"
    }
  }
}

variable "job_id" {
  type        = string
  description = "ID of an EVS job, such as the creation or extension of a volume."
}

data "hwtasks_evs_job" "this" {
  id = var.job_id
}

# A job on one volume carries its fields in entities; a batch job lists
# sub-jobs instead.
output "volume" {
  value = try("${data.hwtasks_evs_job.this.entities.name} (${data.hwtasks_evs_job.this.entities.size} GB)", null)
}

output "failed_sub_jobs" {
  value = [for s in data.hwtasks_evs_job.this.sub_jobs : "${s.id}: ${s.fail_reason}" if s.status == "FAIL"]
}
