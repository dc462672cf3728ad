terraform {
  required_providers {
    hwtasks = {
      source = "hwtasks/hwtasks"
    }
  }
}

variable "job_id" {
  type        = string
  description = "ID of the GeminiDB job to wait for."
}

data "hwtasks_geminidb_job" "this" {
  id                  = var.job_id
  wait_for_completion = true

  lifecycle {
    postcondition {
      condition     = self.status == "Completed"
      error_message = "GeminiDB job ${self.id} ended ${self.status}: ${self.fail_reason}"
    }
  }
}

# created and ended come from GeminiDB's start_time and end_time, in RFC 3339.
output "took" {
  value = "${data.hwtasks_geminidb_job.this.created} to ${data.hwtasks_geminidb_job.this.ended}"
}
