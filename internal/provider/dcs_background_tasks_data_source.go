package provider

import "github.com/hwtasks/terraform-provider-hwtasks/internal/client"

// NewDCSBackgroundTasksDataSource returns hwtasks_dcs_background_tasks, the
// background tasks of a DCS (Redis or Memcached) instance: the task-list
// shape of DMS, with DCS's paging, statuses and details.
var NewDCSBackgroundTasksDataSource = newBackgroundTasksDataSource(taskService{
	typeName: "dcs_background_tasks", title: "DCS", product: "DCS", api: client.DCSTasks,
	// The docs list these; SUCCESS and FAILED are final, as the official
	// provider waits while a task is EXECUTING.
	statuses: []string{"CREATED", "WAITING", "EXECUTING", "SUCCESS", "FAILED"},
	terminal: []string{"SUCCESS", "FAILED"},
	waiting:  []string{"CREATED", "WAITING", "EXECUTING"},
	// DCS.3022 is the OTC error table's "This DCS instance does not exist.";
	// 111404022 is its older numeric code.
	instanceNotFound: []string{"DCS.3022", "111404022"},
	permission:       "DCS read access (the DCS ReadOnlyAccess policy, or dcs:instance:get and dcs:instance:list)",
	exampleTask:      "EXTEND",
	details:          true,
	keepsTasks:       "the API keeps recent tasks only",
})
