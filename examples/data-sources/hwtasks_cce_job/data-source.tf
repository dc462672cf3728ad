terraform {
  required_providers {
    hwtasks = {
      source = "hwtasks/hwtasks"
    }
  }
}

variable "job_id" {
  type        = string
  description = "ID of the CCE job, such as the creation of a cluster or a node pool."
}

data "hwtasks_cce_job" "this" {
  id                  = var.job_id
  wait_for_completion = true

  lifecycle {
    postcondition {
      condition     = self.status == "Success"
      error_message = "CCE job ${self.id} (${self.job_type} of ${self.resource_name}) ended ${self.status}: ${self.reason}"
    }
  }
}

# created and updated are RFC 3339, although CCE writes Go's time.String().
output "took" {
  value = "${data.hwtasks_cce_job.this.created} to ${data.hwtasks_cce_job.this.updated}"
}

output "sub_jobs" {
  value = { for s in data.hwtasks_cce_job.this.sub_jobs : s.job_type => s.status }
}
