terraform {
  required_providers {
    hwtasks = {
      source = "hwtasks/hwtasks"
    }
  }
}

variable "instance_id" {
  description = "The RocketMQ instance, as the console shows it on the instance's page."
  type        = string
}

# Everything that happened to the instance in the last 24 hours. The window
# takes RFC 3339 as well as the API's YYYYMMDDHHmmss (UTC), so timeadd() works.
# plantimestamp() is known while Terraform plans, so the tasks are read then;
# timestamp() would put the read off until apply.
data "hwtasks_rocketmq_background_tasks" "last_day" {
  instance_id = var.instance_id
  begin_time  = timeadd(plantimestamp(), "-24h")
  end_time    = plantimestamp()
}

# Only the failed tasks, over all time.
data "hwtasks_rocketmq_background_tasks" "failed" {
  instance_id = var.instance_id
  status      = "FAILED"
}

output "tasks_per_status" {
  value = { for s in distinct(data.hwtasks_rocketmq_background_tasks.last_day.tasks[*].status) :
    s => length([for t in data.hwtasks_rocketmq_background_tasks.last_day.tasks : t if t.status == s])
  }
}

# Who bound a public IP, and which one: params_map for top-level keys,
# jsondecode(params) for the whole structure.
output "public_ip_bindings" {
  value = [for t in data.hwtasks_rocketmq_background_tasks.last_day.tasks : {
    who  = t.user_name
    when = t.created_at
    ip   = t.params_map.public_ip_address
  } if t.name == "bindInstancePublicIp"]
}

output "latest_failure" {
  value = try(jsondecode(data.hwtasks_rocketmq_background_tasks.failed.tasks[0].params), null)
}
