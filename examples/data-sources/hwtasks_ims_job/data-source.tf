terraform {
  required_providers {
    hwtasks = {
      source = "hwtasks/hwtasks"
    }
  }
}

variable "job_id" {
  type        = string
  description = "ID of the IMS job that makes an image."
}

data "hwtasks_ims_job" "image" {
  id                  = var.job_id
  wait_for_completion = true

  lifecycle {
    postcondition {
      condition     = self.status == "SUCCESS"
      error_message = "IMS job ${self.id} ended ${self.status}: ${coalesce(self.fail_reason, "no reason given")}"
    }
  }
}

output "image_id" {
  value = try(data.hwtasks_ims_job.image.entities.image_id, null)
}
