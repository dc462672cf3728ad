terraform {
  required_providers {
    hwtasks = {
      source = "hwtasks/hwtasks"
    }
  }
}

variable "job_id" {
  type        = string
  description = "ID of a GaussDB(for openGauss) job."
}

# Read the job as it is, without waiting: a plan shows how far it got.
data "hwtasks_opengauss_job" "this" {
  id = var.job_id
}

output "status" {
  value = data.hwtasks_opengauss_job.this.status
}

# progress is a number while the job runs, and null once it has ended.
output "progress" {
  value = coalesce(data.hwtasks_opengauss_job.this.progress, data.hwtasks_opengauss_job.this.status == "Completed" ? 100 : 0)
}
