terraform {
  required_providers {
    hwtasks = {
      source = "hwtasks/hwtasks"
    }
  }
}

variable "job_id" {
  type        = string
  description = "ID of the DDS job to wait for, such as the creation of a MongoDB instance."
}

data "hwtasks_dds_job" "this" {
  id                  = var.job_id
  wait_for_completion = true

  lifecycle {
    postcondition {
      condition     = self.status == "Completed"
      error_message = "DDS job ${self.id} ended ${self.status}: ${self.fail_reason}"
    }
  }
}

# ended is null until the job has ended, although DDS sends a time earlier.
output "ended" {
  value = data.hwtasks_dds_job.this.ended
}
