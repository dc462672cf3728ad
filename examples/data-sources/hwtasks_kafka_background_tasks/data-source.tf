terraform {
  required_providers {
    hwtasks = {
      source = "hwtasks/hwtasks"
    }
  }
}

variable "instance_id" {
  description = "The Kafka instance, as the console shows it on the instance's page."
  type        = string
}

variable "task_id" {
  description = "A background task of the instance, such as a restart started by another pipeline."
  type        = string
}

# Wait for one task to finish before the next step, and stop the run if it
# did not succeed.
data "hwtasks_kafka_background_tasks" "restart" {
  instance_id         = var.instance_id
  task_id             = var.task_id
  wait_for_completion = true
  poll_interval       = "10s"

  timeouts {
    read = "30m"
  }

  lifecycle {
    postcondition {
      condition     = self.tasks[0].status == "SUCCESS"
      error_message = "Task ${self.tasks[0].name} ended ${self.tasks[0].status}: ${self.tasks[0].params}"
    }
  }
}

# One raw page, with the API's own paging: the second page of 100.
data "hwtasks_kafka_background_tasks" "page_two" {
  instance_id = var.instance_id
  start       = 101
  limit       = 100
}

output "restart_finished_at" {
  value = data.hwtasks_kafka_background_tasks.restart.tasks[0].updated_at
}

output "task_count" {
  value = data.hwtasks_kafka_background_tasks.page_two.task_count
}
