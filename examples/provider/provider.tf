terraform {
  required_providers {
    hwtasks = {
      source = "hwtasks/hwtasks"
    }
  }
}

# Huawei Cloud, with AK/SK from the environment:
#   export HW_ACCESS_KEY=... HW_SECRET_KEY=...
provider "hwtasks" {
  region = "ap-southeast-1"
}

# Open Telekom Cloud, with an IAM user's password.
provider "hwtasks" {
  alias       = "otc"
  cloud       = "otc.t-systems.com"
  region      = "eu-de"
  user_name   = var.otc_user_name
  password    = var.otc_password
  domain_name = var.otc_domain_name
}

# A private cloud or a proxy: every endpoint can be replaced.
provider "hwtasks" {
  alias  = "private"
  region = "ap-southeast-1"
  endpoints = {
    iam     = "https://iam.example.internal"
    dms     = "https://dms.example.internal"
    gaussdb = "https://gaussdb.example.internal"
  }
  cacert_file = "/etc/ssl/private-cloud-ca.pem"
  max_retries = 8
}

variable "otc_user_name" {
  type = string
}

variable "otc_password" {
  type      = string
  sensitive = true
}

variable "otc_domain_name" {
  type = string
}
